package address

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want Address
		ok   bool
	}{
		{"plain", "3栋2单元501", Address{"3", "2", "501"}, true},
		{"chinese numerals with space", "三号楼二单元 501", Address{"3", "2", "501"}, true},
		{"dashes", "3-2-501", Address{"3", "2", "501"}, true},
		{"zhuang and shi", "3幢2单元501室", Address{"3", "2", "501"}, true},
		{"floor dropped", "3号楼2单元5楼501", Address{"3", "2", "501"}, true},
		{"floor ceng", "3栋2单元5层501室", Address{"3", "2", "501"}, true},
		{"full-width digits", "２栋１单元３０２", Address{"2", "1", "302"}, true},
		{"twelve", "十二栋三单元1102", Address{"12", "3", "1102"}, true},
		{"ninety-nine", "九十九栋二十单元101", Address{"99", "20", "101"}, true},
		{"letter building", "B座1201", Address{"B", "", "1201"}, true},
		{"lower-case letter", "b座1201室", Address{"B", "", "1201"}, true},
		{"full-width letter", "Ｃ栋3单元201", Address{"C", "3", "201"}, true},
		{"surrounding words", "我住3栋2单元501", Address{"3", "2", "501"}, true},
		{"sentence with punctuation", "你好，我家是7栋1单元1102室，谢谢", Address{"7", "1", "1102"}, true},
		{"no unit", "3栋501", Address{"3", "", "501"}, true},
		{"dash without unit", "3-501", Address{"3", "", "501"}, true},
		{"room with ling", "3栋2单元五〇一", Address{"3", "2", "501"}, true},
		{"room with zero character", "三栋二单元五零一室", Address{"3", "2", "501"}, true},
		{"liang", "两栋两单元202", Address{"2", "2", "202"}, true},
		{"hao as building", "5号3单元402", Address{"5", "3", "402"}, true},
		{"hash building", "6#2单元301", Address{"6", "2", "301"}, true},
		{"building only", "8栋", Address{"8", "", ""}, true},
		{"building and unit", "8栋3单元", Address{"8", "3", ""}, true},
		{"unit-room dash", "3栋2-501", Address{"3", "2", "501"}, true},
		{"full-width dashes", "３－２－５０１", Address{"3", "2", "501"}, true},
		{"leading zero building", "03栋2单元501", Address{"3", "2", "501"}, true},
		{"spaces between parts", "3 栋 2 单元 501", Address{"3", "2", "501"}, true},
		{"strong suffix wins over hao", "坐2号线到3栋2单元501", Address{"3", "2", "501"}, true},
		{"round trip of String", "3栋2单元501室", Address{"3", "2", "501"}, true},
		{"letter and number building", "A3栋1单元101", Address{"A3", "1", "101"}, true},
		{"second building ignored as room", "3栋4栋", Address{"3", "", ""}, true},

		{"empty", "", Address{}, false},
		{"no numbers", "我家楼道的灯坏了", Address{}, false},
		{"unit but no building", "2单元501", Address{}, false},
		{"building zero", "0栋1单元101", Address{}, false},
		{"building zero in chinese", "零栋一单元101", Address{}, false},
		{"building five digits", "12345栋1单元101", Address{}, false},
		{"unit five digits", "3栋12345单元101", Address{}, false},
		{"room too long", "3栋2单元13812345678", Address{}, false},
		{"unit zero", "3栋0单元101", Address{}, false},
		{"too long", strings.Repeat("很", 95) + "3栋2单元501", Address{}, false},
		{"date is not an address", "2024-05-01", Address{}, false},
		{"short range is not an address", "3-5", Address{}, false},
		{"phone number", "13812345678", Address{}, false},
		{"floor only", "5楼", Address{}, false},
		{"invalid utf-8", "3栋\xff2单元", Address{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.text)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a    Address
		want string
	}{
		{"full", Address{"3", "2", "501"}, "3栋2单元501室"},
		{"letter building", Address{"B", "", "1201"}, "B座1201室"},
		{"no unit", Address{"3", "", "501"}, "3栋501室"},
		{"building only", Address{"3", "", ""}, "3栋"},
		{"no room", Address{"3", "2", ""}, "3栋2单元"},
		{"zero value", Address{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.String(); got != tt.want {
				t.Fatalf("%+v.String() = %q; want %q", tt.a, got, tt.want)
			}
		})
	}
}

func TestCNNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"十", "10", true},
		{"十二", "12", true},
		{"二十", "20", true},
		{"九十九", "99", true},
		{"五〇一", "501", true},
		{"幺零二", "102", true},
		{"一百零一", "101", true},
		{"十十", "", false},
		{"二三十", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := cnNumber([]rune(tt.in))
			if got != tt.want || ok != tt.ok {
				t.Fatalf("cnNumber(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"3栋2单元501", "三号楼二单元 501", "3-2-501", "3幢2单元501室", "3号楼2单元5楼501",
		"２栋１单元３０２", "十二栋三单元1102", "B座1201", "我住3栋2单元501", "3栋501", "3-501",
		"3栋2-501", "五〇一", "0栋", "A3#楼", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		a, ok := Parse(text)
		if !ok {
			if a != (Address{}) {
				t.Fatalf("Parse(%q) = %+v with ok=false; want the zero Address", text, a)
			}
			return
		}
		if a.Building == "" {
			t.Fatalf("Parse(%q) = %+v: ok without a building", text, a)
		}
		b, ok := Parse(a.String())
		if !ok || b != a {
			t.Fatalf("Parse(%q) = %+v; Parse(%q) = %+v, %v", text, a, a.String(), b, ok)
		}
	})
}
