package console

import "github.com/gin-gonic/gin"

// PeopleStore is what the people pages need (staff, invites, grids, stakeholders).
type PeopleStore interface{}

// Meetings is what the meetings pages need.
type Meetings interface{}

func (c *Console) registerPeople(r gin.IRoutes)   {}
func (c *Console) registerMeetings(r gin.IRoutes) {}
