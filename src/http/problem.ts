// RFC 9457 problem details. Every error response of the API is one of these.

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const PROBLEM_TYPE_BASE = 'https://docs.nh-logistics.example/oms/problems/';

export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly extras: { errors?: FieldError[]; headers?: Record<string, string>; [k: string]: unknown };

  constructor(
    status: number,
    code: string,
    detail: string,
    extras: { errors?: FieldError[]; headers?: Record<string, string>; [k: string]: unknown } = {},
  ) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.extras = extras;
  }

  body(instance?: string): ProblemBody {
    const { headers: _headers, ...extras } = this.extras;
    return {
      type: `${PROBLEM_TYPE_BASE}${this.code}`,
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(instance ? { instance } : {}),
      ...extras,
    };
  }
}

export const validationFailed = (errors: FieldError[], detail = 'the request does not match the schema') =>
  new HttpProblem(400, 'validation_failed', detail, { errors });

/**
 * The resources a 404 can name. One code per meaning: every 404 for a missing resource is
 * `<noun>_not_found`, the code the commands' domain errors use too (`order_not_found`, …).
 */
export type NotFoundNoun =
  | 'customer'
  | 'order'
  | 'shipment'
  | 'return'
  | 'sku'
  | 'location'
  | 'webhook_endpoint'
  | 'webhook_delivery';

export const notFoundCode = (noun: NotFoundNoun) => `${noun}_not_found` as const;

export const notFound = (noun: NotFoundNoun, what: string) =>
  new HttpProblem(404, notFoundCode(noun), `${what} was not found`);
