package ops

import "math"

// Directory is what the engine knows of the communities it serves, keyed by
// community id. It is plain data built from the settings at start.
type Directory map[string]*Community

// Community is one community's name, hotline, area and grids.
type Community struct {
	ID, Name, Hotline string
	// Center and RadiusKM bound where its appeals can be; zero RadiusKM
	// (or nil Center) turns the check off.
	Center   *Point
	RadiusKM float64
	Grids    []Grid
}

// Point is a WGS-84 position.
type Point struct{ Lat, Lng float64 }

// Grid is one grid (网格) and the buildings it covers, normalised ("3", "B").
type Grid struct {
	ID, Name  string
	Buildings []string
}

// Community returns the community with the given id, or nil.
func (d Directory) Community(id string) *Community { return d[id] }

// GridOf returns the grid covering a building, or nil.
func (c *Community) GridOf(building string) *Grid {
	if c == nil || building == "" {
		return nil
	}
	for i := range c.Grids {
		for _, b := range c.Grids[i].Buildings {
			if b == building {
				return &c.Grids[i]
			}
		}
	}
	return nil
}

// Grid returns the grid with the given id, or nil.
func (c *Community) Grid(id string) *Grid {
	if c == nil {
		return nil
	}
	for i := range c.Grids {
		if c.Grids[i].ID == id {
			return &c.Grids[i]
		}
	}
	return nil
}

// Far reports whether p lies outside the community's radius, and how far
// from its centre it is in km.
func (c *Community) Far(p Point) (bool, float64) {
	if c == nil || c.Center == nil || c.RadiusKM <= 0 {
		return false, 0
	}
	d := HaversineKM(*c.Center, p)
	return d > c.RadiusKM, d
}

// HaversineKM is the great-circle distance between two points in km.
func HaversineKM(a, b Point) float64 {
	const earthKM = 6371.0
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLng := (b.Lng - a.Lng) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthKM * math.Asin(math.Min(1, math.Sqrt(h)))
}
