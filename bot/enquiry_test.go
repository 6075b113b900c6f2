package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestEnquiriesAnsweredAtOnce: a question about a catalog item that carries
// an answer is answered in the first reply and recorded as resolved
// immediately at community level (the split's first column); "没用" makes
// it an ordinary appeal at its item's level, with a handler and a limit.
func TestEnquiriesAnsweredAtOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		ctx := context.Background()
		for _, c := range []struct{ who, text, want string }{
			{"r-dibao", "低保咋个申请", "社会救助窗口"},
			{"r-juzhu", "居住证在哪里办？", "居住证明"},
			{"r-yibao", "住院了医保咋个报销", "12393"},
			{"r-laonian", "老年证怎么办理", "60周岁"},
			{"r-canji", "残疾证要带啥子材料", "残疾评定"},
			{"r-dusheng", "独生子女证咋个补办", "光荣证"},
		} {
			r := w.say(c.who, c.text)
			if !strings.Contains(r, c.want) || !strings.Contains(r, "以当地为准") || !strings.Contains(r, "即时办结") {
				t.Errorf("%s: reply %q; want the answer (%s), marked to be checked, recorded as solved at once", c.text, r, c.want)
				continue
			}
			list, err := db.ListAppeals(ctx, models.AppealFilter{CommunityID: "c1", OpenID: c.who})
			if err != nil || len(list) != 1 {
				t.Fatalf("%s: appeals %v, %v", c.text, list, err)
			}
			if a := list[0]; a.Status != models.StatusResolved || a.Level != models.LevelCommunity || a.DueAt != nil ||
				!strings.Contains(r, a.Ref) {
				t.Errorf("%s: stored %s/%s due %v; want resolved at community level, no deadline, its code said", c.text, a.Status, a.Level, a.DueAt)
			}
		}
		st, err := db.Stats(ctx, "c1", w.now.Add(-time.Hour), w.now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st.Split.Community.Total != 6 || st.Split.Community.Resolved != 6 {
			t.Errorf("split community %+v; want 6 solved immediately", st.Split.Community)
		}

		// The answer did not help: an ordinary appeal at the street.
		r := w.say("r-dibao", "没用，还是不会")
		list, _ := db.ListAppeals(ctx, models.AppealFilter{CommunityID: "c1", OpenID: "r-dibao"})
		a := list[0]
		if !strings.Contains(r, "不满意") || a.Status != models.StatusEscalated || a.Level != models.LevelStreet || a.DueAt == nil ||
			a.Assignee == "" {
			t.Errorf("after 没用: reply %q, appeal %s/%s due %v assignee %q; want a street appeal with a handler and a limit",
				r, a.Status, a.Level, a.DueAt, a.Assignee)
		}
		// A report about the same matter, with no question, is an appeal as before.
		if r := w.say("r-other", "我家的低保被取消了，不公平"); strings.Contains(r, "即时办结") {
			t.Errorf("a complaint was answered as an enquiry: %q", r)
		}
	})
}
