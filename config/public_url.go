package config

import (
	"net"
	"net/url"
	"strings"
)

// SandboxPublicURL is the public URL of a sandbox run on the default address
// (another port gives http://localhost:<port>; a specific address, that
// address: sandboxURL).
const SandboxPublicURL = "http://localhost:8080"

// validatePublicURL checks GONGZHI_PUBLIC_URL: an http or https base URL
// with a host and no query. Sandbox mode defaults it; outside sandbox it
// may stay empty, and the console's chat links are then refused.
func (c *Config) validatePublicURL() error {
	c.PublicURL = strings.TrimRight(strings.TrimSpace(c.PublicURL), "/")
	if c.PublicURL == "" {
		if c.Sandbox() { // the sandbox's own address, as a browser on this machine reaches it
			c.PublicURL = sandboxURL(c.HTTPAddr)
		}
		return nil
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c.fail("public_url", "%q is not an http or https URL with a host (e.g. https://gongzhi.example.cn)", c.PublicURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return c.fail("public_url", "%q: want a base URL without user, query or fragment", c.PublicURL)
	}
	return nil
}

// sandboxURL is the sandbox's public URL from its listen address: its port on
// localhost when it listens on loopback or on every address, else the very
// address it listens on (localhost would not reach it).
func sandboxURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return SandboxPublicURL
	}
	if ip := net.ParseIP(host); host == "" || host == "localhost" || (ip != nil && (ip.IsLoopback() || ip.IsUnspecified())) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
