# Bantin container image.
#
#   docker build -t bantin .
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://user:password@host:5432/bantin bantin
#
# The image holds no PostgreSQL: DATABASE_URL must name a server (docker-compose.yml runs
# one). Without it `bantin serve` tries to run a private cluster and stops, saying so.
# Other settings are the usual environment variables (`docker run bantin --help` lists them).
# Keep /var/lib/bantin/data on a volume: the generated JWT secret (when BANTIN_JWT_SECRET
# is unset) and uploaded media live there.

# ---- build -------------------------------------------------------------------------------
FROM rust:1.95-bookworm AS builder
WORKDIR /src

# Dependencies first, in a layer of their own that only Cargo.toml/Cargo.lock invalidate:
# build them against placeholder sources, then drop the placeholders.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked --bin bantin \
    && rm -rf src

# The application itself (migrations are embedded into the binary at compile time). The
# touch makes sure cargo rebuilds over the placeholders whatever the copied files' dates.
COPY src ./src
COPY migrations ./migrations
COPY demo ./demo
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin bantin \
    && install -D -m 0755 target/release/bantin /out/bantin

# ---- run ---------------------------------------------------------------------------------
FROM debian:bookworm-slim

# The binary links only libc, libm and libgcc_s (no libpq, no OpenSSL), so the only
# package added is ca-certificates, the trust store any outgoing HTTPS would need.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 bantin \
    && useradd --system --uid 10001 --gid bantin --home-dir /var/lib/bantin \
        --shell /usr/sbin/nologin bantin \
    && install -d -o bantin -g bantin -m 0750 /var/lib/bantin /var/lib/bantin/data

COPY --from=builder /out/bantin /usr/local/bin/bantin

USER bantin:bantin
WORKDIR /var/lib/bantin
ENV BANTIN_BIND=0.0.0.0:8080 \
    BANTIN_DATA_DIR=/var/lib/bantin/data \
    BANTIN_LOG_FORMAT=json
EXPOSE 8080

# Ready = the process answers and its database is reachable with migrations applied.
# No curl in the image: bash (always in Debian) speaks the one HTTP/1.0 request through
# /dev/tcp, which keeps the image free of libcurl and its dependency tree. The port is
# taken from BANTIN_BIND, so the check follows a changed port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${BANTIN_BIND##*:} && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

# SIGTERM (docker stop) makes the service finish in-flight requests and exit cleanly.
ENTRYPOINT ["bantin"]
CMD ["serve"]
