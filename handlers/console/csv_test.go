package console_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/handlers/console"
	"github.com/gongzhi/gongzhi/models"
)

// TestCSVCellsAreNeverFormulas: every text that came from outside — the
// resident's words, and a staff name typed into an invite — is kept from
// being read as a spreadsheet formula, in every column.
func TestCSVCellsAreNeverFormulas(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	evil := `=HYPERLINK("http://evil.example/x","王五")`
	list := []*models.Appeal{{Ref: "SQ2612010001", Kind: models.KindSmall, Level: models.LevelCommunity,
		Status: models.StatusAssigned, Topic: "+楼道照明", Description: "@" + evil, GridID: "-g1", Building: "=3",
		Assignee: "staff:2", CreatedAt: now, UpdatedAt: now}}
	var out bytes.Buffer
	if err := console.WriteListCSV(&out, list, console.CSVNames{Assignee: func(string) string { return evil }}, time.UTC, now); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want a header and one appeal", len(rows))
	}
	for i, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s = %q: a spreadsheet would read it as a formula", rows[0][i], cell)
		}
	}
}
