package bot

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestRepliesReadInContext: while an appeal waits for a rating, or an
// invitation for an answer, a free reply in the resident's own words (and
// dialect) is read as that answer first, and the reply says what was
// understood; the same words with nothing waiting stay words.
func TestRepliesReadInContext(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		ctx := context.Background()
		appeals := func() int { return w.appealsOf("resident") }
		a := w.appeal(models.KindSmall)
		w.say("worker-g1", "办结 "+a.Ref+" 已修好")
		n := appeals()
		r := w.say("resident", "修了个铲铲，今天早上又关了人")
		if !strings.Contains(r, "不满意") || !strings.Contains(r, a.Ref) {
			t.Errorf("unhappy in dialect = %q; want it read as 不满意 of %s", r, a.Ref)
		}
		if got := w.reload(a); got.Status != models.StatusReopened {
			t.Errorf("status %s; want reopened", got.Status)
		}
		if appeals() != n {
			t.Error("the unhappy reply became a new appeal")
		}
		w.say("worker-g1", "办结 "+a.Ref+" 换了新锁")
		if r := w.say("resident", "这回修好了，安逸"); !strings.Contains(r, "满意") || strings.Contains(r, "不满意") {
			t.Errorf("happy = %q; want it read as 满意", r)
		}
		if got := w.reload(a); got.Status != models.StatusClosed {
			t.Errorf("status %s; want closed", got.Status)
		}

		// Words about another matter are a new appeal, not a rating: a
		// resolved 低保 question and then the lift (found by a second user).
		b := w.appeal(models.KindSmall)
		if err := db.Gorm().Model(&models.Appeal{}).Where("id = ?", b.ID).Updates(map[string]any{"topic_id": "social-assistance", "topic": "社会救助"}).Error; err != nil {
			t.Fatal(err)
		}
		w.say("worker-g1", "办结 "+b.Ref+" 已答复办理材料")
		n = appeals()
		if r := w.say("resident", "电梯又关人了，里面还有个老人"); strings.Contains(r, "不满意") || strings.Contains(r, b.Ref) {
			t.Errorf("another matter's complaint = %q; want a new appeal, not a rating of %s", r, b.Ref)
		}
		if got := w.reload(b); got.Status != models.StatusResolved {
			t.Errorf("the 低保 answer is %s; want still resolved", got.Status)
		}
		w.say("resident", "取消") // the new appeal is not the point here

		// An invitation waits: the decline with its reason, a plain 要得.
		w.register("resident", "3", "2", "501")
		w.register("neighbour", "3", "1", "201")
		r = w.say("committee", "开会 3栋 11月28日19:00 3栋架空层 加装监控")
		code := regexp.MustCompile(`已发起会议 (YS[0-9]+)`).FindStringSubmatch(r)
		if code == nil {
			t.Fatalf("开会 = %q", r)
		}
		if r := w.say("resident", "来不了，那天要上夜班"); !strings.Contains(r, "已登记您不参加") {
			t.Errorf("decline with a reason = %q; want 已登记您不参加", r)
		}
		if r := w.say("neighbour", "要得"); !strings.Contains(r, "已登记您参加") {
			t.Errorf("要得 to an invitation = %q; want 已登记您参加", r)
		}
		ivs, err := db.MeetingInvitees(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]models.Answer{}
		for _, iv := range ivs {
			got[iv.OpenID] = iv.Answer
		}
		if got["resident"] != models.AnswerDeclined || got["neighbour"] != models.AnswerAccepted {
			t.Errorf("answers %v", got)
		}
		// Nothing waits any more: the same kind of words are not answers.
		if r := w.say("neighbour", "要得"); strings.Contains(r, "已登记") {
			t.Errorf("要得 with nothing waiting = %q", r)
		}
	})
}

// TestConfirmationReadBeforeInvitation: a resident confirming an appeal
// while an invitation also waits: "要得" confirms the appeal (the
// conversation's question comes first) and the invitation stays open;
// "算了" at a confirmation drops the draft.
func TestConfirmationReadBeforeInvitation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		w.register("resident", "3", "2", "501")
		if r := w.say("committee", "开会 3栋 11月28日19:00 3栋架空层 加装监控"); !strings.Contains(r, "已发起会议") {
			t.Fatalf("开会 = %q", r)
		}
		toConfirm := func(text string) {
			t.Helper()
			r := w.say("resident", text)
			for range 4 {
				switch {
				case strings.Contains(r, "1 确认提交"):
					return
				case strings.Contains(r, "附议"):
					r = w.say("resident", "2")
				default:
					t.Fatalf("unexpected reply %q", r)
				}
			}
		}
		toConfirm("3栋楼道灯坏了好几天了")
		if r := w.say("resident", "要得"); !strings.Contains(r, "已提交") {
			t.Errorf("要得 at a confirmation = %q; want the appeal submitted", r)
		}
		ivs, err := db.MeetingInvitees(context.Background(), 1)
		if err != nil || len(ivs) != 1 || ivs[0].Answer != models.AnswerPending {
			t.Errorf("invitation after 要得 at a confirmation: %v, %v; want still pending", ivs, err)
		}
		toConfirm("3栋电梯按钮坏了")
		if r := w.say("resident", "算了"); !strings.Contains(r, "已取消") {
			t.Errorf("算了 at a confirmation = %q; want it dropped", r)
		}
	})
}

// TestBareUnhappyThenReason: 不满意 alone is asked its reason, and the next
// words are that reason (a first user answered "今天还是黑的" and started a
// new appeal); words naming another matter are a new appeal instead, and a
// reason given in the same message still works.
func TestBareUnhappyThenReason(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		ctx := context.Background()
		appeals := func() int { return w.appealsOf("resident") }
		a := w.appeal(models.KindSmall)
		w.say("worker-g1", "办结 "+a.Ref+" 已修好")
		n := appeals()
		if r := w.say("resident", "不满意"); !strings.Contains(r, "不满意的原因") || !strings.Contains(r, a.Ref) {
			t.Fatalf("bare 不满意 = %q; want the appeal named and its reason asked", r)
		}
		// Commands and letting it go are no reason (a first user's 我的诉求
		// and 算了不评了 reopened appeals).
		if r := w.say("resident", "我的诉求"); strings.Contains(r, "重新交办") || !strings.Contains(r, a.Ref) {
			t.Errorf("我的诉求 while a reason waits = %q; want the list, no rating", r)
		}
		if r := w.say("resident", "算了不评了"); strings.Contains(r, "重新交办") || !strings.Contains(r, "不评价") {
			t.Errorf("算了不评了 = %q; want no rating, and a closing line", r)
		}
		if got := w.reload(a); got.Status != models.StatusResolved {
			t.Fatalf("status %s after commands; want still resolved", got.Status)
		}
		w.say("resident", "取消")
		if r := w.say("resident", "不满意"); !strings.Contains(r, "不满意的原因") {
			t.Fatalf("bare 不满意 again = %q", r)
		}
		if r := w.say("resident", "取消"); !strings.Contains(r, "不评价") {
			t.Errorf("取消 while a reason waits = %q; want 不评价", r)
		}
		w.say("resident", "不满意")
		r := w.say("resident", "今天晚上还是黑的")
		if !strings.Contains(r, "重新交办") || !strings.Contains(r, a.Ref) {
			t.Errorf("the reason = %q; want %s reopened", r, a.Ref)
		}
		got := w.reload(a)
		if got.Status != models.StatusReopened || appeals() != n {
			t.Errorf("status %s, %d appeals (want reopened, %d)", got.Status, appeals(), n)
		}
		events, err := db.AppealEvents(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := events[len(events)-1]; !strings.Contains(last.Reason, "今天晚上还是黑的") {
			t.Errorf("the reopening's note %q lacks the reason", last.Reason)
		}
		// The wait is over: the same words now are an appeal of their own
		// words, not a second rating.
		if r := w.say("resident", "今天晚上还是黑的"); strings.Contains(r, "重新交办") {
			t.Errorf("a second message after the rating = %q; want no rating", r)
		}
		w.say("resident", "取消")

		// Words of another matter after a bare 不满意 are a new appeal.
		w.say("worker-g1", "办结 "+a.Ref+" 换了灯泡")
		w.say("resident", "不满意")
		n = appeals()
		if r := w.say("resident", "楼下垃圾桶满了好几天没人清"); strings.Contains(r, "重新交办") {
			t.Errorf("another matter = %q; want a new appeal", r)
		}
		if got := w.reload(a); got.Status != models.StatusResolved {
			t.Errorf("status %s; want still resolved", got.Status)
		}
		w.say("resident", "1") // submit whatever was asked
		if r := w.say("resident", "不满意 灯还是不亮"); !strings.Contains(r, "重新交办") {
			t.Errorf("不满意 with its reason = %q", r)
		}
	})
}

// appealsOf counts the appeals openID has raised.
func (w *staffWorld) appealsOf(openID string) int {
	w.t.Helper()
	list, err := w.db.ListAppeals(context.Background(), models.AppealFilter{CommunityID: "c1", OpenID: openID})
	if err != nil {
		w.t.Fatal(err)
	}
	return len(list)
}

// TestFollowerRating: a resident who said "me too" to a neighbour's appeal
// and rates after it is resolved is told only its author rates, and their
// own older resolved appeal is left alone (a first user's 不满意 reopened her
// old enquiry instead); a resident's refusal never points to 我的任务.
func TestFollowerRating(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		ctx := context.Background()
		own := w.appeal(models.KindSmall)
		w.say("worker-g1", "办结 "+own.Ref+" 已答复")
		if err := db.Gorm().Model(&models.Appeal{}).Where("id = ?", own.ID).Update("resolved_at", w.now.Add(-time.Hour)).Error; err != nil {
			t.Fatal(err)
		}
		b := w.appeal(models.KindSmall)
		if err := db.Gorm().Model(&models.Appeal{}).Where("id = ?", b.ID).Update("open_id", "neighbour").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "resident", At: w.now,
			NewFollowers: []*models.Follower{{AppealID: b.ID, CommunityID: "c1", OpenID: "resident", CreatedAt: w.now}}}); err != nil {
			t.Fatal(err)
		}
		w.say("worker-g1", "办结 "+b.Ref+" 已清运")
		if r := w.say("resident", "不满意 还是有味道"); !strings.Contains(r, "您附议的诉求 "+b.Ref) {
			t.Errorf("a follower's 不满意 = %q; want told %s is rated by its author", r, b.Ref)
		}
		for _, a := range []*models.Appeal{own, b} {
			if got := w.reload(a); got.Status != models.StatusResolved {
				t.Errorf("%s is %s; want still resolved", a.Ref, got.Status)
			}
		}
		if r := w.say("resident", "满意 "+b.Ref); !strings.Contains(r, "没有找到您反映的诉求") || strings.Contains(r, "我的任务") {
			t.Errorf("a follower's 满意 编号 = %q; want the resident's refusal", r)
		}
		if r := w.say("stranger", "不满意 没人管"); !strings.Contains(r, "没有待评价的诉求") {
			t.Errorf("不满意 with nothing to rate = %q; want 没有待评价的诉求", r)
		}
	})
}

// TestProgressAskedInWords: asking about progress in one's own words shows
// one's appeals, not a new appeal to confirm (found by a first user).
func TestProgressAskedInWords(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a := w.appeal(models.KindSmall)
		n := w.appealsOf("resident")
		for _, q := range []string{"我反映的垃圾那个事情进展怎么样了", "进展怎么样了", "处理得怎么样了？"} {
			if r := w.say("resident", q); !strings.Contains(r, a.Ref) || strings.Contains(r, "请确认") || strings.Contains(r, "想确认一下") {
				t.Errorf("%q = %q; want the resident's appeals", q, r)
			}
		}
		if w.appealsOf("resident") != n {
			t.Error("a progress question became an appeal")
		}
	})
}

// TestRateReasonHolds: while a bare 不满意 waits for its reason, plain
// answers and other commands are no reason, and the reason goes to the
// appeal asked about, not the latest (found by an attacker).
func TestRateReasonHolds(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		older := w.appeal(models.KindSmall)
		w.say("worker-g1", "办结 "+older.Ref+" 灯已换好")
		if err := db.Gorm().Model(&models.Appeal{}).Where("id = ?", older.ID).Update("resolved_at", w.now.Add(-time.Hour)).Error; err != nil {
			t.Fatal(err)
		}
		newer := w.appeal(models.KindSmall)
		w.say("worker-g1", "办结 "+newer.Ref+" 已清理")
		if r := w.say("resident", "不满意 "+older.Ref); !strings.Contains(r, older.Ref) || !strings.Contains(r, "不满意的原因") {
			t.Fatalf("不满意 %s = %q", older.Ref, r)
		}
		for _, m := range []string{"好的", "1", "嗯", "参加 YS123456", "登录", "报名 XM001"} {
			w.say("resident", m)
			for _, a := range []*models.Appeal{older, newer} {
				if got := w.reload(a); got.Status != models.StatusResolved {
					t.Fatalf("after %q %s is %s; want still resolved", m, a.Ref, got.Status)
				}
			}
		}
		w.say("resident", "取消") // this world has no project commands: 报名 XM001 began an appeal
		w.say("resident", "不满意 "+older.Ref)
		if r := w.say("resident", "灯还是一闪一闪的"); !strings.Contains(r, older.Ref) {
			t.Errorf("the reason = %q; want %s reopened", r, older.Ref)
		}
		if got := w.reload(older); got.Status != models.StatusReopened {
			t.Errorf("%s is %s; want reopened", older.Ref, got.Status)
		}
		if got := w.reload(newer); got.Status != models.StatusResolved {
			t.Errorf("%s is %s; want still resolved (the reason was the older one's)", newer.Ref, got.Status)
		}
	})
}

// TestRateWhichOfTwo: a bare 满意 with two appeals waiting for a rating asks
// which one, changing neither; with the number it rates that one (found by
// a first user, whose 满意 silently rated the latest of two).
func TestRateWhichOfTwo(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a, b := w.appeal(models.KindSmall), w.appeal(models.KindSmall)
		w.say("worker-g1", "办结 "+a.Ref+" 已修好")
		w.say("worker-g1", "办结 "+b.Ref+" 已清理")
		r := w.say("resident", "满意")
		if !strings.Contains(r, "2件诉求待评价") || !strings.Contains(r, a.Ref) || !strings.Contains(r, b.Ref) {
			t.Fatalf("bare 满意 with two waiting = %q; want both listed", r)
		}
		if w.reload(a).Status != models.StatusResolved || w.reload(b).Status != models.StatusResolved {
			t.Fatal("a bare 满意 rated an appeal")
		}
		if r := w.say("resident", "满意 "+a.Ref); !strings.Contains(r, a.Ref) || w.reload(a).Status != models.StatusClosed ||
			w.reload(b).Status != models.StatusResolved {
			t.Fatalf("满意 %s = %q; want only it closed", a.Ref, r)
		}
		// One left: a bare 满意 rates it.
		if r := w.say("resident", "满意"); !strings.Contains(r, b.Ref) || w.reload(b).Status != models.StatusClosed {
			t.Fatalf("bare 满意 with one waiting = %q", r)
		}
		// Rated already: said so, with how to raise it again (not "办结后才能评价").
		if r := w.say("resident", "不满意 "+a.Ref+" 灯才换了一天又不亮了"); !strings.Contains(r, "已经评价并关闭") || strings.Contains(r, "办结后") {
			t.Fatalf("不满意 on a closed appeal = %q", r)
		}
	})
}
