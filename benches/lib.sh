# Shell helpers the benches share (sourced).

# wait_ready PORT: waits until the server on PORT answers PING (up to 60 s), or exits.
wait_ready() {
  for _ in $(seq 1 600); do
    [ "$(redis-cli -p "$1" ping 2>/dev/null)" = "PONG" ] && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start"; exit 1
}
