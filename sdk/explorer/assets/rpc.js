// The explorer's only data source: the node's own JSON-RPC (POST /) and WebSocket subscriptions
// on the same origin.

let nextId = 1;

export class RpcFailure extends Error {
  constructor(method, error) {
    super(error.message);
    this.method = method;
    this.code = error.code;
    this.name = (error.data && error.data.name) || 'RpcError';
  }
}

/** One JSON-RPC call; throws RpcFailure with the node's error name. */
export async function rpc(method, params = []) {
  const res = await fetch('/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }) });
  const body = await res.json();
  if (body.error) throw new RpcFailure(method, body.error);
  return body.result;
}

/** Like rpc(), but null instead of throwing (for lookups that may find nothing). */
export async function tryRpc(method, params = []) {
  try {
    return await rpc(method, params);
  } catch {
    return null;
  }
}

/** Many calls in one HTTP request; each entry is the result or an RpcFailure. */
export async function batch(calls) {
  if (calls.length === 0) return [];
  const out = [];
  for (let i = 0; i < calls.length; i += 500) {
    const part = calls.slice(i, i + 500);
    const first = nextId;
    nextId += part.length;
    const body = part.map(([method, params], j) => ({ jsonrpc: '2.0', id: first + j, method, params: params ?? [] }));
    const res = await fetch('/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const answers = await res.json();
    const byId = new Map(answers.map((a) => [a.id, a]));
    part.forEach(([method], j) => {
      const a = byId.get(first + j);
      out.push(!a ? new RpcFailure(method, { message: 'no answer', code: -32603 }) : a.error ? new RpcFailure(method, a.error) : a.result);
    });
  }
  return out;
}

/** Module queries through chain.Call. */
export async function query(target, name, args = {}) {
  return (await rpc('chain.Call', { to: target, method: name, args })).result;
}

/**
 * Events over the last (at most) 10000 blocks, the node's limit for one query: oldest first.
 */
export async function recentEvents(filter, head) {
  const toBlock = head;
  const fromBlock = Math.max(0, head - 9999);
  return rpc('chain.GetEvents', { ...filter, fromBlock, toBlock });
}

/**
 * A WebSocket subscription to new heads that reconnects by itself. `onHead(header)` runs for each
 * block; `onState(live)` when the connection comes or goes.
 */
export function subscribeHeads(onHead, onState) {
  let socket;
  let delay = 500;
  let stopped = false;
  const open = () => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
    socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      delay = 500;
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscribe', params: { kind: 'newHeads' } }));
      onState(true);
    });
    socket.addEventListener('message', (m) => {
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      if (msg.method === 'subscription' && msg.params && msg.params.result) onHead(msg.params.result);
    });
    socket.addEventListener('close', () => {
      onState(false);
      if (stopped) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10000);
    });
  };
  open();
  return () => {
    stopped = true;
    socket?.close();
  };
}
