/** How the kit's HTTP client maps what a real server does into the error taxonomy. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient, type HttpClient } from '../../src/connectors/kit/http.ts';
import { AmbiguousWriteError, OrderflowError, TransientError, UserError } from '../../src/core/errors.ts';
import { closedPort, json, startServer, type Handler, type LocalServer } from './local-server.ts';

async function withServer(handler: Handler, fn: (client: HttpClient, server: LocalServer) => Promise<void>, opts: { timeoutMs?: number } = {}): Promise<void> {
  const server = await startServer(handler);
  const client = createHttpClient({ name: 'target', baseUrl: server.url, ...opts });
  try {
    await fn(client, server);
  } finally {
    client.close();
    await server.close();
  }
}

async function caught(p: Promise<unknown>): Promise<OrderflowError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof OrderflowError, `expected an OrderflowError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to fail');
}

const neverAnswer: Handler = () => {
  // Holds the request until the server closes.
};

test('a read that gets no answer in time is a transient OF_HTTP_TIMEOUT', async () => {
  await withServer(neverAnswer, async (client) => {
    const err = await caught(client.request({ method: 'GET', path: '/orders', timeoutMs: 150 }));
    assert.ok(err instanceof TransientError);
    assert.equal(err.code, 'OF_HTTP_TIMEOUT');
    assert.match(err.message, /GET \/orders on connection 'target' timed out after 150 ms/);
  });
});

test('a write that gets no answer in time is an ambiguous write', async () => {
  await withServer(neverAnswer, async (client, server) => {
    const err = await caught(client.request({ method: 'POST', path: '/orders', body: { id: 1 }, timeoutMs: 150 }));
    assert.ok(err instanceof AmbiguousWriteError);
    assert.equal(err.code, 'OF_HTTP_WRITE_TIMEOUT');
    assert.equal(server.requests.length, 1, 'the server did receive the write');
  });
});

test('a connection reset after a POST was sent is an ambiguous write', async () => {
  await withServer(
    (_req, res) => {
      res.socket?.destroy();
    },
    async (client, server) => {
      const err = await caught(client.request({ method: 'POST', path: '/orders', body: { id: 1 } }));
      assert.ok(err instanceof AmbiguousWriteError);
      assert.equal(err.code, 'OF_HTTP_WRITE_INTERRUPTED');
      assert.equal(server.requests.length, 1);
    },
  );
});

test('a connection reset on a GET is transient', async () => {
  await withServer(
    (_req, res) => {
      res.socket?.destroy();
    },
    async (client) => {
      const err = await caught(client.request({ method: 'GET', path: '/orders' }));
      assert.ok(err instanceof TransientError);
      assert.equal(err.code, 'OF_HTTP_NETWORK');
    },
  );
});

test('a refused connection is transient, even for a write, because nothing was sent', async () => {
  const port = await closedPort();
  const client = createHttpClient({ name: 'down', baseUrl: `http://127.0.0.1:${port}` });
  try {
    for (const method of ['GET', 'POST']) {
      const err = await caught(client.request({ method, path: '/x', body: method === 'POST' ? { a: 1 } : undefined }));
      assert.ok(err instanceof TransientError, `${method}: ${err.name}`);
      assert.equal(err.code, 'OF_HTTP_UNREACHABLE');
      assert.match(err.message, /ECONNREFUSED/);
    }
  } finally {
    client.close();
  }
});

test('a 429 with Retry-After in seconds is transient and carries retryAfterMs', async () => {
  await withServer(
    (_req, res) => json(res, 429, { error: 'slow down' }, { 'retry-after': '7' }),
    async (client) => {
      const err = await caught(client.request({ method: 'POST', path: '/orders', body: {} }));
      assert.ok(err instanceof TransientError);
      assert.equal(err.code, 'OF_HTTP_UNAVAILABLE');
      assert.equal(err.retryAfterMs, 7000);
      assert.equal(err.details?.status, 429);
    },
  );
});

test('a 503 with Retry-After as an HTTP date is transient and carries the time left until that date', async () => {
  const at = new Date(Date.now() + 30_000).toUTCString();
  await withServer(
    (_req, res) => json(res, 503, { error: 'maintenance' }, { 'retry-after': at }),
    async (client) => {
      const err = await caught(client.request({ method: 'GET', path: '/orders' }));
      assert.ok(err instanceof TransientError);
      assert.equal(err.code, 'OF_HTTP_UNAVAILABLE');
      // The date has whole seconds, so up to a second is lost; the clock moves on while we wait.
      assert.ok(err.retryAfterMs !== undefined && err.retryAfterMs > 27_000 && err.retryAfterMs <= 30_000, String(err.retryAfterMs));
    },
  );
});

test('a 500 on a read is transient', async () => {
  await withServer(
    (_req, res) => json(res, 500, { error: 'boom' }),
    async (client) => {
      const err = await caught(client.request({ method: 'GET', path: '/orders/1' }));
      assert.ok(err instanceof TransientError);
      assert.equal(err.code, 'OF_HTTP_5XX');
      assert.match(err.message, /answered 500: \{"error":"boom"\}/);
    },
  );
});

test('a 502 on a write is ambiguous: the write may have been applied before the failure', async () => {
  await withServer(
    (_req, res) => json(res, 502, { error: 'bad gateway' }),
    async (client) => {
      const err = await caught(client.request({ method: 'PATCH', path: '/orders/1', body: { state: 4 } }));
      assert.ok(err instanceof AmbiguousWriteError);
      assert.equal(err.code, 'OF_HTTP_WRITE_5XX');
    },
  );
});

test('a 4xx is a user error naming the connection and the answer; 401 asks to check the credentials', async () => {
  await withServer(
    (req, res) => (req.url === '/secret' ? json(res, 401, { error: 'no' }) : json(res, 422, { error: 'CardCode is missing' })),
    async (client) => {
      const err = await caught(client.request({ method: 'POST', path: '/orders', body: {} }));
      assert.ok(err instanceof UserError);
      assert.equal(err.code, 'OF_HTTP_REJECTED');
      assert.match(err.message, /POST \/orders on connection 'target' answered 422: .*CardCode is missing/);
      const auth = await caught(client.request({ method: 'GET', path: '/secret' }));
      assert.ok(auth instanceof UserError);
      assert.equal(auth.code, 'OF_HTTP_AUTH');
      assert.match(auth.message, /check the credentials of connection 'target'/);
    },
  );
});

test("the connector's mapError hook decides before the default mapping", async () => {
  const server = await startServer((req, res) =>
    req.url === '/expired' ? json(res, 401, { error: { code: 301, message: 'Invalid session' } }) : json(res, 404, { error: 'nope' }),
  );
  const client = createHttpClient({
    name: 'erp',
    baseUrl: server.url,
    mapError: (res) => {
      const body = res.json<{ error?: { code?: number } }>();
      if (res.status === 401 && typeof body.error === 'object' && body.error.code === 301) return new TransientError('OF_TEST_SESSION_EXPIRED', 'session expired');
      return undefined;
    },
  });
  try {
    const mapped = await caught(client.request({ method: 'GET', path: '/expired' }));
    assert.ok(mapped instanceof TransientError);
    assert.equal(mapped.code, 'OF_TEST_SESSION_EXPIRED');
    const fallback = await caught(client.request({ method: 'GET', path: '/other' }));
    assert.equal(fallback.code, 'OF_HTTP_REJECTED', 'undefined from the hook falls back to the default mapping');
  } finally {
    client.close();
    await server.close();
  }
});

test('throwOnError: false hands back a non-2xx answer instead of throwing', async () => {
  await withServer(
    (_req, res) => json(res, 404, { error: 'not found' }),
    async (client) => {
      const res = await client.request({ method: 'GET', path: '/orders/9', throwOnError: false });
      assert.equal(res.status, 404);
      assert.deepEqual(res.json(), { error: 'not found' });
    },
  );
});

test('an aborted read is transient', async () => {
  await withServer(neverAnswer, async (client, server) => {
    const ac = new AbortController();
    const pending = client.request({ method: 'GET', path: '/slow', signal: ac.signal });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const err = await caught(pending);
    assert.ok(err instanceof TransientError);
    assert.equal(err.code, 'OF_HTTP_ABORTED');
  });
});

test('a write whose signal is aborted before it starts is transient and never reaches the server', async () => {
  await withServer((_req, res) => json(res, 201, {}), async (client, server) => {
    const ac = new AbortController();
    ac.abort();
    const err = await caught(client.request({ method: 'POST', path: '/orders', body: { a: 1 }, signal: ac.signal }));
    assert.ok(err instanceof TransientError, `got ${err.constructor.name}: ${err.message}`);
    assert.equal(err.code, 'OF_HTTP_ABORTED');
    assert.equal(server.requests.length, 0);
  });
});

test('a write aborted once it was sent may have been applied', async () => {
  await withServer(neverAnswer, async (client, server) => {
    const ac = new AbortController();
    const pending = client.request({ method: 'POST', path: '/orders', body: { a: 1 }, signal: ac.signal });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const err = await caught(pending);
    assert.ok(err instanceof AmbiguousWriteError);
    assert.equal(err.code, 'OF_HTTP_WRITE_ABORTED');
  });
});
