package ops

import "testing"

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
