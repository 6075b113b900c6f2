package console

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/models"
)

// TestChartsReadableAtPhoneWidth: a campaign report's charts drawn 343 CSS
// px wide (a 390 px phone less the page's margins) keep labels of at least
// 12 px, and each label has its own line above its bar (it never runs into
// the bar or off the drawing).
func TestChartsReadableAtPhoneWidth(t *testing.T) {
	const phone = 343.0
	rep := &models.CampaignReport{ByLevel: map[string]int{"community": 12, "street": 5, "district": 1, "self": 2},
		TopTopics: []models.TopicCount{{Topic: "楼道照明", Count: 7}, {Topic: "占道经营与流动摊贩管理", Count: 3}}}
	levels, topics := campaignCharts(rep)
	viewBox := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	font := regexp.MustCompile(`<svg[^>]* font-size="(\d+)"`)
	label := regexp.MustCompile(`<text x="(\d+)" y="(\d+)">([^<]*)</text><rect x="\d+" y="(\d+)"`)
	for name, svg := range map[string]string{"levels": string(levels), "topics": string(topics)} {
		vb, f := viewBox.FindStringSubmatch(svg), font.FindStringSubmatch(svg)
		if vb == nil || f == nil {
			t.Fatalf("%s: no viewBox or font size in %s", name, svg)
		}
		w, _ := strconv.Atoi(vb[1])
		size, _ := strconv.Atoi(f[1])
		if px := float64(size) * phone / float64(w); px < 12 {
			t.Errorf("%s: labels %.1f px at phone width, want at least 12", name, px)
		}
		rows := label.FindAllStringSubmatch(svg, -1)
		if len(rows) == 0 {
			t.Fatalf("%s: no label above a bar in %s", name, svg)
		}
		for _, r := range rows {
			x, _ := strconv.Atoi(r[1])
			y, _ := strconv.Atoi(r[2])
			barY, _ := strconv.Atoi(r[4])
			if y > barY || x+utf8.RuneCountInString(r[3])*size > w {
				t.Errorf("%s: label %q at (%d,%d) runs into its bar (y %d) or off the drawing (%d)", name, r[3], x, y, barY, w)
			}
		}
		if strings.Contains(svg, "font-size: 12px") {
			t.Errorf("%s: a fixed pixel size", name)
		}
	}
}
