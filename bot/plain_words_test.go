package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestPlainWords: what a first user typed and was told 没太明白 or asked for
// an address: the community's phone asked for, progress asked with nothing
// raised, a wish to report with nothing said; and what must stay an appeal.
func TestPlainWords(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := testEngine(t, db)
	registered := &models.Resident{Building: "3", Unit: "2", Room: "501", GridID: "g1"}
	for _, tt := range []struct{ text, want, not string }{
		{"社区居委会电话是多少", "社区电话：023-1", ""},
		{"转人工", "社区电话：023-1", ""},
		{"社区电话", "社区电话：023-1", ""},
		{"有没得社区的电话哦", "社区电话：023-1", ""},
		{"社区居委会电话是多少", "社区电话：023-1", ""},
		{"电梯坏了，里面的联系电话打不通", "", "社区电话："}, // an appeal that speaks of a phone
		{"查一下进度", "您还没有提交过诉求", ""},
		{"进度", "您还没有提交过诉求", ""},
		{"有个事想反映一下", "请用一两句话描述您遇到的问题", "想确认一下"},
		{"我要投诉", "请用一两句话描述您遇到的问题", ""},
		{"施工进度太慢了，门口马路挖了三个月都没修好", "", "您还没有提交过诉求"},
		{"我要投诉楼下烧烤店油烟太大", "", "请用一两句话描述您遇到的问题"},
	} {
		out, err := e.Step(context.Background(), Input{Msg: text(tt.text), Resident: registered, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		reply := strings.Join(out.Replies, "\n")
		if tt.want != "" && !strings.Contains(reply, tt.want) {
			t.Errorf("%q: reply %q lacks %q", tt.text, reply, tt.want)
		}
		if tt.not != "" && strings.Contains(reply, tt.not) {
			t.Errorf("%q: reply %q has %q", tt.text, reply, tt.not)
		}
	}
}
