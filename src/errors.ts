/** Errors every surface knows how to present: HTTP maps `status`, chat maps to a friendly reply. */
export class AppError extends Error {
  /** Extra response headers (e.g. Retry-After). */
  headers?: Record<string, string>;

  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, field?: string) {
    super(400, message, field);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'missing or invalid API key') {
    super(401, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(404, id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, field?: string) {
    super(409, message, field);
  }
}

/** A rate limit was reached: 429 with Retry-After (whole seconds). */
export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, message);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

/** The request needs a body in another media type (415). */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(415, message);
  }
}

/**
 * The HTTP client went away before its answer was ready: the work left (more pages of a list
 * filtered in memory) is dropped. Nobody reads the answer, so it is not an application error.
 */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before the answer was ready');
    this.name = 'ClientGoneError';
  }
}

/** No free port where the caller asked for one (a full box, or one that filled meanwhile). */
export class NoFreePortError extends AppError {
  constructor(message = 'no free port available') {
    super(409, message);
  }
}
