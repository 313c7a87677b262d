import type { Duplex } from 'node:stream';

const ANSWERS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'request headers (or the URL) are larger than the 16 KB allowed: send long filters in the body',
  ],
  HPE_URI_TOO_LONG: [414, 'URI Too Long', 'the URL is too long: send long filters in the body'],
};

/**
 * Node answers a request it cannot parse (headers over its limit, broken HTTP) by itself, with an
 * empty body. This gives those answers the JSON `{message}` every other error has.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] = ANSWERS[err.code ?? ''] ?? [
    400,
    'Bad Request',
    'the request is not valid HTTP',
  ];
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
