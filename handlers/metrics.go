package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's Prometheus series, on a registry of their own
// so that tests can build as many as they like.
type Metrics struct {
	Registry       *prometheus.Registry
	Requests       *prometheus.CounterVec
	RequestSeconds *prometheus.HistogramVec
	WebhookSeconds prometheus.Histogram
	Messages       *prometheus.CounterVec
	DedupeHits     prometheus.Counter
	WebhookRefused *prometheus.CounterVec
	LateReplies    prometheus.Counter
	WebhookWaiting prometheus.Gauge
}

// NewMetrics registers the series (and the Go and process collectors).
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongzhi_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "method", "status"}),
		RequestSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gongzhi_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		WebhookSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "gongzhi_webhook_duration_seconds", Help: "Time to answer a WeChat webhook request.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 4, 5},
		}),
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongzhi_messages_total", Help: "Inbound WeChat messages by type.",
		}, []string{"type"}),
		DedupeHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gongzhi_dedupe_hits_total", Help: "WeChat retries answered from the dedupe record.",
		}),
		WebhookRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongzhi_webhook_refused_total", Help: "Webhook requests refused, by reason.",
		}, []string{"reason"}),
		LateReplies: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gongzhi_webhook_late_replies_total", Help: "Messages answered 'success' because handling passed the reply budget.",
		}),
		WebhookWaiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gongzhi_webhook_waiting", Help: "Webhook messages waiting for one of the in-flight slots.",
		}),
	}
	r.MustRegister(m.Requests, m.RequestSeconds, m.WebhookSeconds, m.Messages, m.DedupeHits, m.WebhookRefused, m.LateReplies, m.WebhookWaiting,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// middleware counts every request by its route pattern (never the raw
// path: it would hold reference codes and make the series unbounded).
func (m *Metrics) middleware(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.Requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	m.RequestSeconds.WithLabelValues(route).Observe(time.Since(start).Seconds())
}

func (m *Metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}

var _ http.Handler = promhttp.Handler()
