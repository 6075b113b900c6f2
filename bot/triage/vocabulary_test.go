package triage

import (
	"os"
	"strings"
	"testing"
)

// removedPhrasings were catalog words lifted from dev.tsv lines (whole
// phrasings such as 停了快一个月, or its typos in the dialect map such as
// 因该 and 怀了): memorised lines, not words residents use. They must not
// come back; TestCatalogWordsHaveSources guards the rest.
var removedPhrasings = []string{
	"停了快一个月", "楼梯好久没人扫", "顶上一直在滴", "因该", "怀了", "代些什么", "在那里办",
	"垃圾也没人管", "过路都要", "马路上有个大坑", "老人都想去", "再修一个", "读不下", "报名当",
	"划到哪个学校", "正对着我家", "滴到我", "晾拖把", "有人从楼上", "我有套房子", "附近那个厂",
	"门外的", "工资都没给", "楼以上", "上楼黑", "几点开门", "开进小区停", "外面的车", "没位置",
	"楼顶的平台", "地面拱起", "窗户玻璃碎", "楼梯间的窗户", "拉根电线", "河里的水", "房子卖了",
	"窗户关不严", "换个窗户", "唱到凌晨", "狗半夜", "电瓶车丢了", "消防车都进不来", "物业拖着",
	"没人扫", "没人收", "家里困难", "没有收入", "漏到我家", "渗到我家", "包饺子",
}

// catalogWords lists every word of the catalog a text is matched against:
// dialect forms, cue words and item words.
func catalogWords(cat *Catalog) map[string]string {
	words := map[string]string{}
	for from := range cat.Dialect {
		words[from] = "dialect"
	}
	for _, cue := range cat.Cues {
		for _, w := range cue.Words {
			words[w] = "cue " + cue.Name
		}
	}
	for _, it := range cat.Items() {
		for _, w := range it.Words {
			words[w] = "item " + it.ID
		}
	}
	return words
}

func TestRemovedPhrasingsStayOut(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	words := catalogWords(cat)
	for _, w := range removedPhrasings {
		if where, ok := words[w]; ok {
			t.Errorf("%s: %q is a phrasing lifted from dev.tsv", where, w)
		}
	}
}

// TestCatalogWordsHaveSources fails when a catalog word occurs in the
// labelled test lines (dev.tsv, fresh.tsv) but in no cited source: the public
// pages of testdata/vocabulary.txt or the odd-id letters of letters.tsv
// (the even ids are held out). Such a word was learnt from the lines it is
// measured on. Words that occur in no test line are not checked here: they
// cannot inflate a figure.
func TestCatalogWordsHaveSources(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	vocab, err := os.ReadFile("testdata/vocabulary.txt")
	if err != nil {
		t.Fatal(err)
	}
	var sources strings.Builder
	for _, line := range strings.Split(string(vocab), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			sources.WriteString(line + "\n")
		}
	}
	for _, l := range readOddLetters(t) {
		sources.WriteString(l.topic + "\n" + l.text + "\n")
	}
	var tested strings.Builder
	for _, l := range append(readDev(t), readFresh(t)...) {
		tested.WriteString(fold(l.text) + "\n")
	}
	src, lines := fold(sources.String()), tested.String()
	for w, where := range catalogWords(cat) {
		f := fold(w)
		if strings.Contains(lines, f) && !strings.Contains(src, f) {
			t.Errorf("%s: %q occurs in dev.tsv or fresh.tsv but in no cited source", where, w)
		}
	}
}
