package handlers

import (
	"strings"
	"testing"

	"github.com/gongzhi/gongzhi/bot/messages"
)

// TestSimCardText: a template push reads as a phone shows it, its fields
// named from the layout that holds them all, an empty one left out (a
// user saw a rating's push without names); unknown layouts show values.
func TestSimCardText(t *testing.T) {
	for _, tt := range []struct {
		data      map[string]string
		want, not []string
	}{
		{data: map[string]string{"thing1": "公共卫生", "character_string2": "SQ2612020002", "phrase3": "满意", "time5": "12月2日 15:48"},
			want: []string{"【模板消息】\n事项：公共卫生\n编号：SQ2612020002\n状态：满意\n时间：12月2日 15:48"}},
		{data: map[string]string{"thing1": "加装监控", "time2": "11月28日 19:00", "thing3": "3栋架空层", "character_string4": "YS101"},
			want: []string{"议题：加装监控", "地点：3栋架空层", "编号：YS101"}},
		{data: map[string]string{"thing1": "垃圾分类", "time2": "2026年11月", "number3": "12"},
			want: []string{"【模板消息】\n垃圾分类\n2026年11月\n12"}, not: []string{"number3", "："}},
	} {
		got := SimCardText(&messages.ZhCN, tt.data)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("SimCardText(%v) = %q; want %q", tt.data, got, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("SimCardText(%v) = %q; want no %q", tt.data, got, n)
			}
		}
	}
}
