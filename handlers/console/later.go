package console

import "github.com/gin-gonic/gin"

// Meetings is what the meetings pages need.
type Meetings interface{}

func (c *Console) registerMeetings(r gin.IRoutes) {}
