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

// TestClarifyTopic: after the triage question, the topic is looked up in
// the resident's words with words of the chosen kind put first; those words
// name no matter of their own (a first user saw 路灯 answered "小区里面" filed
// as 公共空间占用, the matter the old words "小区公共区域" named).
func TestClarifyTopic(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := testEngine(t, db)
	registered := &models.Resident{Building: "3", Unit: "2", Room: "501", GridID: "g1"}
	tests := []struct {
		text, topic string
		choices     []models.Kind
		answer      string
		want, not   string
	}{
		{text: "路灯不亮好几天了", topic: "street-lights", choices: []models.Kind{models.KindSmall, models.KindMajor}, answer: "1",
			want: "事项：小区公共照明"},
		{text: "水管漏水了", topic: "plumbing", choices: []models.Kind{models.KindPrivate, models.KindSmall}, answer: "2",
			not: "公共空间占用"},
		{text: "下水道堵了", topic: "", choices: []models.Kind{models.KindPrivate, models.KindSmall}, answer: "1",
			want: "事项：管道疏通"},
		// No private matter named: the catch-all, never a summary without 事项.
		{text: "家里停水了", topic: "water-supply", choices: []models.Kind{models.KindPrivate, models.KindMajor}, answer: "1",
			want: "事项：其他个人事务"},
		// The answer is the problem itself: it joins the description and names the matter
		// (found by a first user: the appeal kept only the vague first words).
		{text: "想说个事", topic: "", choices: []models.Kind{models.KindSmall, models.KindMajor}, answer: "就是我们楼上那家天天半夜剁肉跺脚，吵得睡不着",
			want: "问题：想说个事；就是我们楼上那家天天半夜剁肉跺脚"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d := convData{Draft: &draft{Text: tt.text, Kind: tt.choices[0], TopicID: tt.topic, Question: "想确认一下",
				Choices: tt.choices, Options: []string{"一", "二"}}}
			out, err := e.Step(context.Background(), Input{Msg: text(tt.answer), Resident: registered, Now: now,
				Conversation: conv(t, StateClarify, d, now.Add(10*time.Minute))})
			if err != nil {
				t.Fatal(err)
			}
			reply := strings.Join(out.Replies, "\n")
			if !strings.Contains(reply, "事项：") {
				t.Fatalf("no summary: %q", reply)
			}
			if tt.want != "" && !strings.Contains(reply, tt.want) {
				t.Errorf("reply %q lacks %q", reply, tt.want)
			}
			if tt.not != "" && strings.Contains(reply, tt.not) {
				t.Errorf("reply %q names %q", reply, tt.not)
			}
		})
	}
}

// TestHelpWhileDrafting: 帮助 in the middle of an appeal shows the help and
// then where the draft stands (a user got only the draft's question back).
func TestHelpWhileDrafting(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := testEngine(t, db)
	d := convData{Draft: &draft{Text: "水管漏水了", Kind: models.KindPrivate, Question: "想确认一下",
		Choices: []models.Kind{models.KindPrivate, models.KindSmall}, Options: []string{"一", "二"}}}
	out, err := e.Step(context.Background(), Input{Msg: text("帮助"), Now: now, Conversation: conv(t, StateClarify, d, now.Add(10*time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	r := strings.Join(out.Replies, "\n")
	if !strings.Contains(r, "我的诉求") || !strings.Contains(r, "正在填写诉求") || !strings.Contains(r, "想确认一下") {
		t.Errorf("帮助 while drafting = %q; want the help, then the draft's question", r)
	}
}

// TestAddressNotADescription: while the bot waits for a home address, a
// description naming a building is not taken as the address; a short "我住6栋"
// still is.
func TestAddressNotADescription(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := testEngine(t, db)
	for _, tt := range []struct{ text, want string }{
		{"6栋楼下化粪池很臭", "没看懂这个地址"},
		{"我住6栋", "您的住址是：6栋"},
		{"6栋1单元101", "您的住址是：6栋1单元101"},
	} {
		out, err := e.Step(context.Background(), Input{Msg: text(tt.text), Now: now,
			Conversation: conv(t, StateAddress, convData{}, now.Add(10*time.Minute))})
		if err != nil {
			t.Fatal(err)
		}
		if r := strings.Join(out.Replies, "\n"); !strings.Contains(r, tt.want) {
			t.Errorf("%q while an address is awaited = %q; want %q", tt.text, r, tt.want)
		}
	}
}

// TestConfirmLetGo: at the confirmation, a sentence starting 算了 lets the
// draft go as 取消 does (found by a first user, whose 算了我还是先自己去跟她们说说吧
// was read as a second problem).
func TestConfirmLetGo(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := testEngine(t, db)
	d := convData{Draft: &draft{Text: "邻居家的狗天天叫", Kind: models.KindSmall, Settled: true}}
	out, err := e.Step(context.Background(), Input{Msg: text("算了我还是先自己去跟她们说说吧"), Now: now,
		Conversation: conv(t, StateConfirm, d, now.Add(10*time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	if r := strings.Join(out.Replies, "\n"); !strings.Contains(r, "已取消") || len(out.Turn.NewAppeals) != 0 || !out.Turn.ClearConversation {
		t.Errorf("算了… at the confirmation = %q (appeals %d, cleared %v); want it let go", r, len(out.Turn.NewAppeals), out.Turn.ClearConversation)
	}
}

// TestAddressStepLocation: a location sent while the home address is awaited
// is answered once, with how to send the address (a first user read
// "没看懂您的回复。没看懂这个地址。").
func TestAddressStepLocation(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := testEngine(t, db)
	msg := models.Inbound{CommunityID: "c1", OpenID: "o1", MsgType: models.MsgLocation, Lat: 29.56, Lng: 106.55}
	out, err := e.Step(context.Background(), Input{Msg: msg, Now: now, Conversation: conv(t, StateAddress, convData{}, now.Add(10*time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	if r := strings.Join(out.Replies, "\n"); strings.Count(r, "没看懂") > 1 || !strings.Contains(r, "3栋2单元501") {
		t.Errorf("location at the address step = %q", r)
	}
}
