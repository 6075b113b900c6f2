package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// Sender reads in one statement what Resident, Conversation and
// StaffByOpenID read one by one, and must agree with them field by field.
func TestSenderAgreesWithSeparateReads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 26, 9, 0, 0, 123000, time.UTC)
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "示例社区"}); err != nil {
			t.Fatal(err)
		}

		// Nobody known: every part nil, no error.
		who, err := db.Sender(ctx, "c1", "oNobody")
		if err != nil || who.Resident != nil || who.Conversation != nil || who.Staff != nil {
			t.Fatalf("Sender(unknown) = %+v, %v; want all nil", who, err)
		}

		turn := &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: "m:1", Reply: "好的", At: at, GuardConversation: true,
			Resident:     &models.Resident{Building: "3", Unit: "2", Room: "501", GridID: "g1", Subscribed: true, LastMessageAt: &at},
			Conversation: &models.Conversation{State: "describe", Data: `{"draft":{"text":"路灯"}}`, ExpiresAt: at.Add(30 * time.Minute)},
		}
		if err := db.CommitTurn(ctx, turn); err != nil {
			t.Fatal(err)
		}
		// A resident of another community with the same openid is not read.
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c2", Name: "另一个社区"}); err != nil {
			t.Fatal(err)
		}
		other := &models.Turn{CommunityID: "c2", OpenID: "o1", DedupeKey: "m:2", At: at, Resident: &models.Resident{Building: "9"}}
		if err := db.CommitTurn(ctx, other); err != nil {
			t.Fatal(err)
		}
		// Two staff rows for o1: an inactive one first, then the active role.
		bound := at.Add(-time.Hour)
		for _, s := range []*models.Staff{
			{CommunityID: "c1", OpenID: "o1", Role: models.RoleCommittee, Name: "老角色", Active: false, CreatedAt: at, UpdatedAt: at},
			{CommunityID: "c1", OpenID: "o1", Role: models.RoleGridWorker, Name: "王网格", GridID: "g1", Department: "", BoundAt: &bound, Active: true, CreatedAt: at, UpdatedAt: at},
		} {
			if err := db.Gorm().Create(s).Error; err != nil {
				t.Fatal(err)
			}
		}
		// gorm writes false as the column default unless told: make the first one inactive for sure.
		if err := db.Gorm().Model(&models.Staff{}).Where("name = ?", "老角色").Update("active", false).Error; err != nil {
			t.Fatal(err)
		}

		who, err = db.Sender(ctx, "c1", "o1")
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.Resident(ctx, "c1", "o1")
		if err != nil {
			t.Fatal(err)
		}
		conv, err := db.Conversation(ctx, "c1", "o1")
		if err != nil {
			t.Fatal(err)
		}
		st, err := db.StaffByOpenID(ctx, "c1", "o1")
		if err != nil {
			t.Fatal(err)
		}
		same := func(what string, got, want any) {
			t.Helper()
			if !reflect.DeepEqual(normalize(got), normalize(want)) {
				t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
			}
		}
		same("resident", who.Resident, res)
		same("conversation", who.Conversation, conv)
		same("staff", who.Staff, st)
		if who.Staff == nil || who.Staff.Name != "王网格" || who.Resident.Building != "3" || who.Conversation.Version != 1 {
			t.Errorf("Sender read the wrong rows: %+v %+v %+v", who.Resident, who.Conversation, who.Staff)
		}

		// A second active role, made later: the first one (lowest id) is still the one read.
		if err := db.Gorm().Create(&models.Staff{CommunityID: "c1", OpenID: "o1", Role: models.RoleCommittee, Name: "王委员",
			Active: true, CreatedAt: at, UpdatedAt: at}).Error; err != nil {
			t.Fatal(err)
		}
		who, err = db.Sender(ctx, "c1", "o1")
		if err != nil || who.Staff == nil || who.Staff.ID != st.ID || who.Resident == nil || who.Conversation == nil {
			t.Fatalf("Sender with two active roles = %+v, %v; want the role %d, the resident and the conversation", who, err, st.ID)
		}
		if st2, err := db.StaffByOpenID(ctx, "c1", "o1"); err != nil || st2.ID != st.ID {
			t.Fatalf("StaffByOpenID with two active roles = %+v, %v", st2, err)
		}

		// A resident without conversation or role: only the resident.
		who, err = db.Sender(ctx, "c2", "o1")
		if err != nil || who.Resident == nil || who.Resident.Building != "9" || who.Conversation != nil || who.Staff != nil {
			t.Fatalf("Sender(c2) = %+v, %v", who, err)
		}
	})
}

// normalize compares times as instants: drivers hand back different
// locations for the same instant.
func normalize(v any) any {
	utc := func(ts ...*time.Time) {
		for _, t := range ts {
			*t = t.UTC()
		}
	}
	switch x := v.(type) {
	case *models.Resident:
		if x != nil {
			c := *x
			utc(&c.CreatedAt, &c.UpdatedAt)
			c.LastMessageAt = utcPtr(c.LastMessageAt)
			return c
		}
	case *models.Conversation:
		if x != nil {
			c := *x
			utc(&c.ExpiresAt, &c.UpdatedAt)
			return c
		}
	case *models.Staff:
		if x != nil {
			c := *x
			utc(&c.CreatedAt, &c.UpdatedAt)
			c.BoundAt = utcPtr(c.BoundAt)
			return c
		}
	}
	return v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
