package main

import (
	"context"
	"net"
)

// warnSandbox says loudly what makes a sandbox dangerous: real staff bound
// in its database (it was pointed at real data: anyone who reaches /sim/
// can sign requests as them), or an address others can reach.
func (a *App) warnSandbox(ctx context.Context, addr net.Addr) {
	bound := 0
	for _, c := range a.Config.Communities {
		list, err := a.Store.ListStaff(ctx, c.ID)
		if err != nil {
			a.Log.Warn("sandbox: cannot count bound staff", "err", err)
			return
		}
		for _, s := range list {
			if s.Active {
				bound++
			}
		}
	}
	if bound > 0 {
		a.Log.Warn("SANDBOX MODE WITH REAL STAFF BOUND: anyone who reaches this service can act as them through /sim/; "+
			"set the WeChat credentials, or use an empty database", "staff_bound", bound)
	}
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		a.Log.Warn("SANDBOX MODE ON A REACHABLE ADDRESS: /sim/ signs any request for anyone who reaches it", "addr", addr.String())
	}
}
