# Gongzhi: one static binary on a distroless base.
# Build:  docker build --build-arg VERSION=$(git describe --always) -t gongzhi .
# Run:    docker run -p 127.0.0.1:8080:8080 -e GONGZHI_HTTP_ADDR=:8080 -v gongzhi-data:/app/data gongzhi
#         (sandbox, SQLite: it listens on loopback unless GONGZHI_HTTP_ADDR is set; publish it on
#         the host's loopback only, since its simulator signs requests for anyone)

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules in their own layer: it is rebuilt only when go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
ARG VERSION=dev
# Pure Go (ncruces/go-sqlite3 needs no cgo), so the binary runs on a static base.
# The release build (README): no symbols or DWARF (-s -w) and no gin MessagePack codec, which
# nothing here uses (nomsgpack): 38 MB instead of 65 MB.
RUN CGO_ENABLED=0 go build -trimpath -tags nomsgpack -ldflags "-s -w -X main.version=${VERSION}" -o /out/gongzhi . \
    && mkdir -p /out/data

# distroless/static: CA certificates, tzdata and a nonroot user (65532), no shell.
FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/gongzhi /app/gongzhi
# Owned by nonroot so that a fresh named volume mounted here is writable.
COPY --from=build --chown=65532:65532 /out/data /app/data
# SQLite lives at data/gongzhi.db (relative to /app) unless GONGZHI_DB_* say otherwise.
VOLUME ["/app/data"]
EXPOSE 8080
USER 65532:65532
# No curl or wget on distroless: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/app/gongzhi", "healthcheck"]
ENTRYPOINT ["/app/gongzhi"]
CMD ["serve"]
