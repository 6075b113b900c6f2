package wx

import (
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
)

// caches returns every cache.Cache we ship: in-process, Redis through
// miniredis, and the real Redis of TEST_REDIS_ADDR when it is set (CI).
func caches(t *testing.T) map[string]cache.Cache {
	t.Helper()
	mr := miniredis.RunT(t)
	out := map[string]cache.Cache{
		"memory":    NewMemoryCache(),
		"miniredis": &RedisCache{Client: redis.NewClient(&redis.Options{Addr: mr.Addr()}), Prefix: "t:"},
	}
	if addr := os.Getenv("TEST_REDIS_ADDR"); addr != "" {
		c := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = c.Close() })
		out["redis"] = &RedisCache{Client: c, Prefix: "gongzhi-test:" + t.Name() + ":"}
	}
	return out
}

func TestCaches(t *testing.T) {
	for name, c := range caches(t) {
		t.Run(name, func(t *testing.T) {
			if c.Get("token") != nil || c.IsExist("token") {
				t.Fatal("empty cache has a token")
			}
			if err := c.Set("token", "abc", time.Hour); err != nil {
				t.Fatal(err)
			}
			if got := c.Get("token"); got != "abc" || !c.IsExist("token") {
				t.Errorf("Get = %v, want abc", got)
			}
			// The SDK passes a negative timeout for a token about to expire:
			// it must not be kept (forever, as Redis would with no TTL).
			if err := c.Set("token", "old", -5*time.Second); err != nil {
				t.Fatal(err)
			}
			if got := c.Get("token"); got != nil {
				t.Errorf("after a negative timeout Get = %v, want nil", got)
			}
			_ = c.Set("token", "abc", time.Hour)
			if err := c.Delete("token"); err != nil || c.Get("token") != nil {
				t.Errorf("Delete: %v, Get after = %v", err, c.Get("token"))
			}
			if err := c.Delete("never-set"); err != nil {
				t.Errorf("Delete(missing) = %v", err)
			}
		})
	}
}

func TestMemoryCacheExpires(t *testing.T) {
	c := NewMemoryCache()
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	_ = c.Set("k", "v", time.Minute)
	now = now.Add(59 * time.Second)
	if c.Get("k") != "v" {
		t.Fatal("expired early")
	}
	now = now.Add(2 * time.Second)
	if c.Get("k") != nil {
		t.Fatal("did not expire")
	}
}
