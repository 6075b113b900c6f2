package ops

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/gongzhi/gongzhi/models"
)

// Directory is what the engine knows of the communities it serves, keyed by
// community id: built from the settings at start, its grids then loaded
// from the database (Load), where the console and the admin API edit them.
type Directory map[string]*Community

// Community is one community's name, hotline, area and grids.
type Community struct {
	ID, Name, Hotline string
	// Center and RadiusKM bound where its appeals can be; zero RadiusKM
	// (or nil Center) turns the check off.
	Center   *Point
	RadiusKM float64
	// Grids are the configured grids, used until the stored ones are loaded.
	Grids []Grid
	live  atomic.Pointer[[]Grid] // the stored grids, once loaded
}

// GridLister reads a community's stored grids (the store).
type GridLister interface {
	Grids(ctx context.Context, communityID string) ([]*models.Grid, error)
}

// Load replaces the grids of the communities (every one when none is
// named) with the stored ones: at start, after a grid edit in this process,
// and now and then for edits made by another replica. Readers see the old
// grids or the new ones, never a mix.
func (d Directory) Load(ctx context.Context, src GridLister, communityIDs ...string) error {
	if len(communityIDs) == 0 {
		for id := range d {
			communityIDs = append(communityIDs, id)
		}
	}
	for _, id := range communityIDs {
		c := d[id]
		if c == nil {
			continue
		}
		rows, err := src.Grids(ctx, id)
		if err != nil {
			return fmt.Errorf("load grids of %s: %w", id, err)
		}
		gs := make([]Grid, 0, len(rows))
		for _, r := range rows {
			gs = append(gs, Grid{ID: r.ID, Name: r.Name, Buildings: r.BuildingList()})
		}
		c.live.Store(&gs)
	}
	return nil
}

// GridList returns the community's grids: the stored ones once loaded, else
// the configured ones. The slice is shared: do not modify it.
func (c *Community) GridList() []Grid {
	if c == nil {
		return nil
	}
	if p := c.live.Load(); p != nil {
		return *p
	}
	return c.Grids
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
	gs := c.GridList()
	for i := range gs {
		for _, b := range gs[i].Buildings {
			if b == building {
				return &gs[i]
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
	gs := c.GridList()
	for i := range gs {
		if gs[i].ID == id {
			return &gs[i]
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
