package config

import (
	"net/url"
	"strings"
)

// SandboxPublicURL is the public URL of a sandbox run on the default address
// (another port gives http://localhost:<port>).
const SandboxPublicURL = "http://localhost:8080"

// validatePublicURL checks GONGZHI_PUBLIC_URL: an http or https base URL
// with a host and no query. Sandbox mode defaults it; outside sandbox it
// may stay empty, and the console's chat links are then refused.
func (c *Config) validatePublicURL() error {
	c.PublicURL = strings.TrimRight(strings.TrimSpace(c.PublicURL), "/")
	if c.PublicURL == "" {
		if c.Sandbox() { // the sandbox's own address, as a browser on this machine reaches it
			c.PublicURL = "http://localhost" + c.HTTPAddr[strings.LastIndex(c.HTTPAddr, ":"):]
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
