#!/usr/bin/env bash
# The README's "Agents" curl session, run for real: the UCP fixture shop, an agent key, a webhook receiver, then
# search → cart → checkout → fulfillment + discount → complete → order → shipped, over REST, and the order over MCP.
# Usage: bash evals/agents_flow.sh   (from the project root, after `make install`; ~4 min, most of it server start)
set -u
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
export SHOPASSIST_DATA_DIR=$WORK/shop
S=.venv/bin/shopassist
J() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
$S data import ../shared/data/ucp_flower_shop --format ucp > "$WORK/import.log" 2>&1 && $S index > "$WORK/index.log" 2>&1
ISSUED=$($S agents issue demo-agent 2>&1)
KEY=$(echo "$ISSUED" | grep -oE 'sa_[A-Za-z0-9_-]+' | tail -1)
AGENT=$(echo "$ISSUED" | grep -oE 'agent_[0-9a-f]+' | head -1)
$S agents webhook "$AGENT" http://127.0.0.1:8091/hooks
python3 - "$WORK/webhooks.log" > /dev/null 2>&1 <<'PY' &
import http.server, json, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        order = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        with open(sys.argv[1], "a") as log:
            log.write(f"{self.headers.get('Webhook-Event')} order {order.get('id')} "
                      f"signed={bool(self.headers.get('Signature'))}\n")
        self.send_response(200); self.end_headers()
http.server.HTTPServer(("127.0.0.1", 8091), Receiver).serve_forever()
PY
RECEIVER=$!
SHOPASSIST_UCP_SIMULATION_SECRET=demo $S serve --port 8090 > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER $RECEIVER; rm -rf "$WORK"' EXIT
for _ in $(seq 300); do curl -sf localhost:8090/.well-known/ucp > /dev/null && break; sleep 1; done
H=(-H 'UCP-Agent: profile="https://agent.example/.well-known/ucp"' -H "Authorization: Bearer $KEY"
   -H 'Content-Type: application/json')
TOTALS="[(t['type'], t['amount']) for t in d['totals']]"
echo "profile: $(curl -s localhost:8090/.well-known/ucp | J "list(d['ucp']['capabilities'])")"
echo "search: $(curl -s "${H[@]}" -X POST localhost:8090/catalog/search -d '{"query":"roses"}' |
  J "[(p['id'], p['price_range']['min']['amount']) for p in d['products']][:3]")"
CART=$(curl -s "${H[@]}" -X POST localhost:8090/carts -H 'Idempotency-Key: c1' \
  -d '{"line_items":[{"item":{"id":"bouquet_roses"},"quantity":2}]}' | J "d['id']")
echo "cart: $CART"
CHECKOUT=$(curl -s "${H[@]}" -X POST localhost:8090/checkout-sessions -H 'Idempotency-Key: k1' -d "{\"cart_id\":\"$CART\"}")
ID=$(echo "$CHECKOUT" | J "d['id']")
echo "checkout: $ID $(echo "$CHECKOUT" | J "d['status'], $TOTALS")"
UPDATE='{"id":"'$ID'","line_items":[{"id":"li_1","item":{"id":"bouquet_roses"},"quantity":2}],
 "buyer":{"email":"ann@example.com","first_name":"Ann"},"discounts":{"codes":["10OFF"]},
 "fulfillment":{"methods":[{"type":"shipping","line_item_ids":["li_1"],"groups":[{"id":"group_1","selected_option_id":"std-ship"}],
  "destinations":[{"id":"d1","street_address":"123 Main St","address_locality":"Springfield","address_region":"IL",
                   "address_country":"US","postal_code":"62704"}]}]}}'
echo "update: $(curl -s "${H[@]}" -X PUT "localhost:8090/checkout-sessions/$ID" -d "$UPDATE" | J "d['status'], $TOTALS")"
PAY='{"payment":{"instruments":[{"id":"instr_1","handler_id":"mock_payment_handler","type":"card","selected":true,
 "credential":{"type":"token","token":"success_token"}}]}}'
ORDER=$(curl -s "${H[@]}" -X POST "localhost:8090/checkout-sessions/$ID/complete" -H 'Idempotency-Key: pay1' -d "$PAY" |
  J "d['status'] + ' ' + d['order']['id']")
echo "complete: $ORDER"
ORDER=${ORDER#completed }
echo "order: $(curl -s "${H[@]}" "localhost:8090/orders/$ORDER" | J "d['id'], $TOTALS")"
curl -s -o /dev/null "${H[@]}" -X POST "localhost:8090/testing/simulate-shipping/$ORDER" -H 'Simulation-Secret: demo'
MCP='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_order","arguments":{"id":"'$ORDER'",
 "meta":{"ucp-agent":{"profile":"https://agent.example/.well-known/ucp"}}}}}'
echo "mcp get_order: $(curl -s localhost:8090/mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $KEY" \
  -H 'Accept: application/json, text/event-stream' -d "$MCP" | J "d['result']['structuredContent']['id']")"
sleep 4
echo "webhooks received:"; cat "$WORK/webhooks.log"
