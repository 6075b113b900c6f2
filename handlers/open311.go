package handlers

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// Open311 serves GeoReport v2 from the catalog and the list, and creates
// appeals from clients holding an API key (POST requests). It publishes no personal data: no openid, address, room, location,
// photo or description (residents' own words can hold names and phone
// numbers; stripping patterns cannot catch them all), and never a private
// appeal.
type Open311 struct {
	Store    StaffStore
	Catalog  *triage.Catalog
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	// Keys and Intake serve POST requests; either nil answers 501.
	Keys   APIKeyStore
	Intake Open311Intake
	// PublicURL is the service's public base URL; "" makes discovery answer
	// a relative URL. Host and X-Forwarded-Proto are the client's to set.
	PublicURL string
}

// Open311 limits of the standard's requests call.
const (
	open311DefaultWindow = 90 * 24 * time.Hour
	open311MaxResults    = 1000
)

func (o *Open311) register(r *gin.Engine) {
	g := r.Group("/open311/v2")
	for _, f := range []string{"json", "xml"} {
		g.GET("/discovery."+f, o.discovery)
		g.GET("/services."+f, o.services)
		g.GET("/requests."+f, o.requests)
		g.POST("/requests."+f, o.postRequest)
	}
	g.GET("/services/:file", o.service)
	g.GET("/requests/:file", o.request)
}

// format is "json" or "xml" from the path's extension.
func format(path string) string {
	if strings.HasSuffix(path, ".xml") {
		return "xml"
	}
	return "json"
}

type open311Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type open311Errors struct {
	XMLName xml.Name       `xml:"errors"`
	Errors  []open311Error `xml:"error"`
}

// fail answers in the standard's error format: a list of {code, description}.
func (o *Open311) fail(c *gin.Context, status int, desc string) {
	e := open311Error{Code: status, Description: desc}
	if format(c.Request.URL.Path) == "xml" {
		c.XML(status, open311Errors{Errors: []open311Error{e}})
	} else {
		c.JSON(status, []open311Error{e})
	}
	c.Abort()
}

func (o *Open311) write(c *gin.Context, jsonBody, xmlBody any) {
	if format(c.Request.URL.Path) == "xml" {
		c.XML(http.StatusOK, xmlBody)
		return
	}
	c.JSON(http.StatusOK, jsonBody)
}

type endpointJSON struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type discoveryJSON struct {
	XMLName    xml.Name       `json:"-" xml:"discovery"`
	Changeset  string         `json:"changeset" xml:"changeset"`
	Contact    string         `json:"contact" xml:"contact"`
	KeyService string         `json:"key_service" xml:"key_service"`
	Endpoints  []endpointJSON `json:"endpoints" xml:"endpoints>endpoint"`
}

// changeset dates the service list: the catalog is fixed for a process.
var changeset = time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)

func (o *Open311) discovery(c *gin.Context) {
	d := discoveryJSON{Changeset: changeset, Contact: "the community's residents' committee",
		KeyService: "api keys are issued by the community's committee (admin API: POST /api/open311/keys)",
		Endpoints: []endpointJSON{{Specification: "http://wiki.open311.org/GeoReport_v2",
			URL: o.PublicURL + "/open311/v2", Changeset: changeset, Type: "production",
			Formats: []string{"text/xml", "application/json"}}}}
	o.write(c, d, d)
}

type serviceJSON struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

type servicesXML struct {
	XMLName  xml.Name      `xml:"services"`
	Services []serviceJSON `xml:"service"`
}

func serviceOf(it *triage.Item) serviceJSON {
	words := it.Words[:min(len(it.Words), 3)]
	desc := it.Name + "（" + it.Unit + "）"
	return serviceJSON{ServiceCode: it.ID, ServiceName: it.Name, Description: desc, Metadata: false,
		Type: "realtime", Keywords: strings.Join(words, ","), Group: string(it.Kind)}
}

// public reports whether a catalog item is published: private matters are not.
func public(it *triage.Item) bool { return it != nil && it.Kind != models.KindPrivate }

func (o *Open311) services(c *gin.Context) {
	out := []serviceJSON{}
	for _, it := range o.Catalog.Items() {
		if public(it) {
			out = append(out, serviceOf(it))
		}
	}
	o.write(c, out, servicesXML{Services: out})
}

type attributeJSON struct {
	Variable    bool   `json:"variable" xml:"variable"`
	Code        string `json:"code" xml:"code"`
	Datatype    string `json:"datatype" xml:"datatype"`
	Required    bool   `json:"required" xml:"required"`
	Description string `json:"description" xml:"description"`
	Order       int    `json:"order" xml:"order"`
}

type serviceDefinitionJSON struct {
	XMLName     xml.Name        `json:"-" xml:"service_definition"`
	ServiceCode string          `json:"service_code" xml:"service_code"`
	Attributes  []attributeJSON `json:"attributes" xml:"attributes>attribute"`
}

func (o *Open311) service(c *gin.Context) {
	code, ok := splitExt(c.Param("file"))
	if !ok {
		o.fail(c, http.StatusNotFound, "unknown format: use .json or .xml")
		return
	}
	it := o.Catalog.Item(code)
	if !public(it) {
		o.fail(c, http.StatusNotFound, "service_code "+code+" not found")
		return
	}
	// Our services take no extra attributes (metadata false): the list is empty.
	d := serviceDefinitionJSON{ServiceCode: it.ID, Attributes: []attributeJSON{}}
	o.write(c, d, d)
}

// splitExt cuts ".json" or ".xml" off a path segment.
func splitExt(file string) (string, bool) {
	for _, ext := range []string{".json", ".xml"} {
		if base, ok := strings.CutSuffix(file, ext); ok && base != "" {
			return base, true
		}
	}
	return "", false
}

// requestJSON is one service request. Fields that would carry personal data
// (address, lat/long, media_url, description) are never filled.
type requestJSON struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  *string  `json:"expected_datetime" xml:"expected_datetime,omitempty"`
}

type requestsXML struct {
	XMLName  xml.Name      `xml:"service_requests"`
	Requests []requestJSON `xml:"request"`
}

// open311Status maps our lifecycle onto the standard's open/closed.
func open311Status(s models.Status) string {
	if s.Open() {
		return "open"
	}
	return "closed"
}

// uncategorised is the service_code of appeals that matched no catalog item.
const uncategorised = "other"

func (o *Open311) requestOut(a *models.Appeal) requestJSON {
	code := a.TopicID
	if code == "" {
		code = uncategorised
	}
	name := a.Topic
	if name == "" {
		name = string(a.Kind)
	}
	r := requestJSON{ServiceRequestID: a.Ref, Status: open311Status(a.Status), StatusNotes: string(a.Status),
		ServiceName: name, ServiceCode: code, AgencyResponsible: a.Unit,
		RequestedDatetime: a.CreatedAt.In(o.Location).Format(time.RFC3339),
		UpdatedDatetime:   a.UpdatedAt.In(o.Location).Format(time.RFC3339)}
	if a.DueAt != nil {
		s := a.DueAt.In(o.Location).Format(time.RFC3339)
		r.ExpectedDatetime = &s
	}
	return r
}

func (o *Open311) requests(c *gin.Context) {
	f := models.PublicFilter{CommunityID: c.Query("jurisdiction_id"), Limit: open311MaxResults}
	if v := c.Query("service_request_id"); v != "" {
		// The standard: with ids given, the other filters are ignored.
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if !models.ValidRef(id) {
				o.fail(c, http.StatusBadRequest, "service_request_id "+id+" is not a reference code")
				return
			}
			f.Refs = append(f.Refs, id)
		}
		if len(f.Refs) > open311MaxResults {
			o.fail(c, http.StatusBadRequest, "too many service_request_id values (at most 1000)")
			return
		}
	} else {
		f.TopicID = c.Query("service_code")
		now := o.Now()
		var err error
		end, start := now, time.Time{}
		if v := c.Query("end_date"); v != "" {
			if end, err = time.Parse(time.RFC3339, v); err != nil {
				o.fail(c, http.StatusBadRequest, "end_date: want ISO 8601 with a zone, e.g. 2026-11-26T09:00:00+08:00")
				return
			}
		}
		start = end.Add(-open311DefaultWindow)
		if v := c.Query("start_date"); v != "" {
			if start, err = time.Parse(time.RFC3339, v); err != nil {
				o.fail(c, http.StatusBadRequest, "start_date: want ISO 8601 with a zone, e.g. 2026-11-01T00:00:00+08:00")
				return
			}
		}
		if start.After(end) {
			o.fail(c, http.StatusBadRequest, "start_date is after end_date")
			return
		}
		f.From, f.To = start, end
		switch v := c.Query("status"); v {
		case "":
		case "open", "closed":
			open := v == "open"
			f.Open = &open
		default:
			o.fail(c, http.StatusBadRequest, "status: want open or closed")
			return
		}
	}
	list, err := o.Store.PublicAppeals(c.Request.Context(), f)
	if err != nil {
		o.Log.ErrorContext(c.Request.Context(), "open311 requests", "err", err, "request_id", RequestID(c))
		o.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	out := make([]requestJSON, 0, len(list))
	for _, a := range list {
		out = append(out, o.requestOut(a))
	}
	o.write(c, out, requestsXML{Requests: out})
}

func (o *Open311) request(c *gin.Context) {
	id, ok := splitExt(c.Param("file"))
	if !ok {
		o.fail(c, http.StatusNotFound, "unknown format: use .json or .xml")
		return
	}
	if !models.ValidRef(id) {
		o.fail(c, http.StatusNotFound, "service_request_id "+id+" not found")
		return
	}
	list, err := o.Store.PublicAppeals(c.Request.Context(), models.PublicFilter{Refs: []string{id}, Limit: 1})
	if err != nil {
		o.Log.ErrorContext(c.Request.Context(), "open311 request", "err", err, "request_id", RequestID(c))
		o.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	if len(list) == 0 {
		o.fail(c, http.StatusNotFound, "service_request_id "+id+" not found")
		return
	}
	out := []requestJSON{o.requestOut(list[0])}
	o.write(c, out, requestsXML{Requests: out})
}

// maxOpen311Body bounds a POST requests body (the description is at most
// 2000 characters; attributes are ignored).
const maxOpen311Body = 64 << 10

// postFields reads a POST requests body: form-encoded as the standard says,
// or a JSON object of the same fields. Only the fields used are kept.
func postFields(c *gin.Context) (map[string]string, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxOpen311Body)
	out := map[string]string{}
	keep := []string{"api_key", "jurisdiction_id", "service_code", "description", "lat", "long", "address_string", "media_url"}
	if strings.HasPrefix(c.ContentType(), "application/json") {
		var in map[string]any
		dec := json.NewDecoder(c.Request.Body)
		dec.UseNumber()
		if err := dec.Decode(&in); err != nil {
			return nil, errors.New("request body: want a JSON object or form fields")
		}
		for _, k := range keep {
			switch v := in[k].(type) {
			case string:
				out[k] = v
			case json.Number:
				out[k] = v.String()
			case nil:
			default:
				return nil, fmt.Errorf("%s: want a string", k)
			}
		}
	} else {
		if err := c.Request.ParseForm(); err != nil {
			return nil, errors.New("request body: want form fields (application/x-www-form-urlencoded) of at most 64 KiB")
		}
		for _, k := range keep {
			out[k] = c.Request.PostForm.Get(k)
		}
	}
	if out["api_key"] == "" {
		out["api_key"] = c.Query("api_key") // accepted in the query string too
	}
	return out, nil
}

// postResponse is the standard's answer to POST requests.
type postResponse struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        *string  `json:"account_id" xml:"account_id"`
}

type postResponseXML struct {
	XMLName  xml.Name       `xml:"service_requests"`
	Requests []postResponse `xml:"request"`
}

// postRequest creates an appeal from a service request, as a confirmed chat
// appeal is created: routed, with its events and pushes, in one transaction.
// A request without a valid api_key stores nothing. Contact fields (email,
// names, phone, device_id, account_id) are not read: nothing of them is kept.
func (o *Open311) postRequest(c *gin.Context) {
	if o.Keys == nil || o.Intake == nil {
		o.fail(c, http.StatusNotImplemented, "creating service requests through Open311 is not available; raise the appeal through the community's WeChat account")
		return
	}
	f, err := postFields(c)
	if err != nil {
		o.fail(c, http.StatusBadRequest, err.Error())
		return
	}
	ctx := c.Request.Context()
	var key *models.APIKey
	if f["api_key"] != "" {
		key, err = o.Keys.APIKeyByKey(ctx, f["api_key"])
	}
	if key == nil && (err == nil || models.ErrorCode(err) == models.ENOTFOUND) {
		o.fail(c, http.StatusForbidden, "api_key is missing, unknown or revoked")
		return
	}
	if err != nil {
		o.Log.ErrorContext(ctx, "open311 api key", "err", err, "request_id", RequestID(c))
		o.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	if j := f["jurisdiction_id"]; j != "" && j != key.CommunityID {
		o.fail(c, http.StatusBadRequest, "jurisdiction_id does not match the api_key's jurisdiction")
		return
	}
	req := ops.IntakeRequest{CommunityID: key.CommunityID, Source: key.Name, ServiceCode: f["service_code"],
		Description: f["description"], Address: f["address_string"], MediaURL: f["media_url"]}
	for name, dst := range map[string]**float64{"lat": &req.Lat, "long": &req.Long} {
		if v := strings.TrimSpace(f[name]); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				o.fail(c, http.StatusBadRequest, name+": want a decimal number (WGS84)")
				return
			}
			*dst = &x
		}
	}
	res, err := o.Intake.Intake(ctx, req)
	switch models.ErrorCode(err) {
	case "":
	case models.EINVALID:
		o.fail(c, http.StatusBadRequest, models.ErrorMessage(err))
		return
	default:
		o.Log.ErrorContext(ctx, "open311 create request", "err", err, "request_id", RequestID(c))
		o.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	o.Log.InfoContext(ctx, "open311 request created", "ref", res.Appeal.Ref, "client", key.ID, "request_id", RequestID(c))
	out := []postResponse{{ServiceRequestID: res.Appeal.Ref, ServiceNotice: res.Notice}}
	o.write(c, out, postResponseXML{Requests: out})
}
