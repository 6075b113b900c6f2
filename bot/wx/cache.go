package wx

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
)

// MemoryCache is a race-free cache.Cache for one process (the SDK's own
// cache.NewMemory reads without its lock).
type MemoryCache struct {
	mu    sync.Mutex
	items map[string]memItem
	now   func() time.Time
}

type memItem struct {
	val     any
	expires time.Time
}

var (
	_ cache.Cache = (*MemoryCache)(nil)
	_ cache.Cache = (*RedisCache)(nil)
)

// NewMemoryCache returns an empty in-process cache.
func NewMemoryCache() *MemoryCache {
	return &MemoryCache{items: map[string]memItem{}, now: time.Now}
}

// Get returns the value or nil when absent or expired.
func (c *MemoryCache) Get(key string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[key]
	if !ok {
		return nil
	}
	if c.now().After(it.expires) {
		delete(c.items, key)
		return nil
	}
	return it.val
}

// Set stores val for timeout. A timeout of zero or less stores nothing: the
// SDK passes a negative one for a token about to expire.
func (c *MemoryCache) Set(key string, val any, timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if timeout <= 0 {
		delete(c.items, key)
		return nil
	}
	c.items[key] = memItem{val: val, expires: c.now().Add(timeout)}
	return nil
}

// IsExist reports whether key holds a live value.
func (c *MemoryCache) IsExist(key string) bool { return c.Get(key) != nil }

// Delete removes key.
func (c *MemoryCache) Delete(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, key)
	return nil
}

// RedisCache is a cache.Cache over go-redis v9, so that every replica shares
// one access token (the SDK's own Redis cache is go-redis v8).
type RedisCache struct {
	Client  redis.UniversalClient
	Prefix  string
	Timeout time.Duration
}

func (c *RedisCache) ctx() (context.Context, context.CancelFunc) {
	t := c.Timeout
	if t <= 0 {
		t = 2 * time.Second
	}
	return context.WithTimeout(context.Background(), t)
}

// Get returns the stored value (strings as strings, as the SDK stores tokens)
// or nil when absent or on error.
func (c *RedisCache) Get(key string) any {
	ctx, cancel := c.ctx()
	defer cancel()
	raw, err := c.Client.Get(ctx, c.Prefix+key).Bytes()
	if err != nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil
	}
	return v
}

// Set stores val as JSON for timeout; zero or less stores nothing (see MemoryCache.Set).
func (c *RedisCache) Set(key string, val any, timeout time.Duration) error {
	if timeout <= 0 {
		return c.Delete(key)
	}
	raw, err := json.Marshal(val)
	if err != nil {
		return err
	}
	ctx, cancel := c.ctx()
	defer cancel()
	return c.Client.Set(ctx, c.Prefix+key, raw, timeout).Err()
}

// IsExist reports whether key exists.
func (c *RedisCache) IsExist(key string) bool {
	ctx, cancel := c.ctx()
	defer cancel()
	n, err := c.Client.Exists(ctx, c.Prefix+key).Result()
	return err == nil && n > 0
}

// Delete removes key; a missing key is no error.
func (c *RedisCache) Delete(key string) error {
	ctx, cancel := c.ctx()
	defer cancel()
	err := c.Client.Del(ctx, c.Prefix+key).Err()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	return err
}
