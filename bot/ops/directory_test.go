package ops

import (
	"context"
	"errors"
	"testing"

	"github.com/gongzhi/gongzhi/models"
)

func TestHaversine(t *testing.T) {
	t.Parallel()
	// Chongqing Jiefangbei to Beijing Tiananmen is about 1,460 km.
	if d := HaversineKM(Point{Lat: 29.5630, Lng: 106.5516}, Point{Lat: 39.9042, Lng: 116.4074}); d < 1400 || d > 1500 {
		t.Errorf("distance %.0f km, want about 1460", d)
	}
	c := &Community{Center: &Point{Lat: 29.563, Lng: 106.5516}, RadiusKM: 2}
	if far, _ := c.Far(Point{Lat: 29.5631, Lng: 106.5517}); far {
		t.Error("a point 15 m away is far")
	}
	if far, _ := (&Community{}).Far(Point{Lat: 1, Lng: 1}); far {
		t.Error("a community without a centre finds points far")
	}
}

// gridRows is a store's grids as Load reads them.
type gridRows map[string][]*models.Grid

func (g gridRows) Grids(_ context.Context, id string) ([]*models.Grid, error) {
	if rows, ok := g[id]; ok {
		return rows, nil
	}
	return nil, errors.New("database down")
}

// TestDirectoryLoad: the configured grids serve until the stored ones are
// loaded; then the stored ones, and a failed load keeps what was there.
func TestDirectoryLoad(t *testing.T) {
	t.Parallel()
	d := Directory{"c1": {ID: "c1", Grids: []Grid{{ID: "g1", Buildings: []string{"1"}}}}, "c2": {ID: "c2"}}
	if g := d.Community("c1").GridOf("1"); g == nil || g.ID != "g1" {
		t.Fatalf("before Load: building 1 in %v, want g1", g)
	}
	stored := gridRows{"c1": {{ID: "g1", Buildings: "2"}, {ID: "g9", Name: "新网格", Buildings: "1,7"}}, "c2": nil}
	if err := d.Load(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
	c := d.Community("c1")
	if g := c.GridOf("7"); g == nil || g.ID != "g9" || c.GridOf("1").ID != "g9" || c.Grid("g9").Name != "新网格" {
		t.Fatalf("after Load: building 7 in %v", g)
	}
	if len(d.Community("c2").GridList()) != 0 {
		t.Fatal("c2 has grids it never stored")
	}
	if err := d.Load(context.Background(), gridRows{}, "c1"); err == nil {
		t.Fatal("a failed load reported no error")
	}
	if g := c.GridOf("7"); g == nil || g.ID != "g9" {
		t.Fatalf("a failed load changed the grids: %v", g)
	}
}
