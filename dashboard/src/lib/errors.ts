/**
 * Every error a user sees, in their language (issue 12): the API's `code` and `params` worded
 * through i18n; a status-based sentence when a code is unknown; never the server's English.
 */
import { ApiError } from './api';
import { translate, type MessageKey } from './i18n';
import type { Lang } from './format';

const CODE_KEYS: Record<string, MessageKey> = {
  validation: 'apiErr.validation',
  bad_request: 'err.400',
  unauthorized: 'apiErr.unauthorized',
  'auth.required': 'apiErr.unauthorized',
  'auth.expired': 'apiErr.unauthorized',
  forbidden: 'err.403',
  'forbidden.permission': 'err.403',
  'forbidden.role': 'err.403',
  'forbidden.scope': 'apiErr.scope',
  'delegation.level': 'apiErr.delegationLevel',
  'delegation.scope': 'apiErr.delegationScope',
  'delegation.role': 'apiErr.delegationLevel',
  not_found: 'err.404',
  'user.not_found': 'err.404',
  conflict: 'apiErr.conflict',
  too_large: 'err.413',
  unsupported_type: 'err.415',
  unprocessable: 'apiErr.unprocessable',
  locked: 'login.error.locked',
  too_many_requests: 'err.429',
  internal: 'apiErr.internal',
  'csv.empty': 'apiErr.csvEmpty',
};

/** A field path of a validation error as the user knows it. */
export function fieldName(lang: Lang, path: string): string {
  const key = `field.${path.split('.')[0]}` as MessageKey;
  const t = translate(lang, key);
  return t === key ? path : t;
}

/** One issue of a validation report (a CSV row, a form field), worded. */
export function issueText(lang: Lang, field: string, message: string): string {
  const rules: [RegExp, MessageKey][] = [
    [/taken/, 'issue.taken'],
    [/role must be one of|no role|unknown role/, 'issue.role'],
    [/needs a province and a district/, 'issue.needDistrict'],
    [/needs a province/, 'issue.needProvince'],
    [/needs at least one box/, 'issue.needBox'],
    [/outside your own/, 'issue.outsideScope'],
    [/only roles below/, 'issue.belowOnly'],
    [/username (is|may)/, 'issue.username'],
    [/password must be/, 'issue.password'],
    [/a box is/, 'issue.box'],
    [/plate|province/, 'issue.province'],
    [/required|expected/, 'issue.required'],
  ];
  const hit = rules.find(([re]) => re.test(message));
  return `${fieldName(lang, field)}: ${translate(lang, hit ? hit[1] : 'issue.invalid')}`;
}

/** The sentence for an error of any call. */
export function errorText(lang: Lang, e: unknown): string {
  if (!(e instanceof ApiError)) return translate(lang, 'err.network');
  const body = (e.body && typeof e.body === 'object' ? e.body : {}) as {
    code?: string;
    params?: Record<string, string | number>;
    issues?: Record<string, string>;
  };
  const code = body.code;
  if (code === 'validation' && body.issues) {
    return translate(lang, 'apiErr.validation', {
      fields: Object.entries(body.issues)
        .map(([f, m]) => issueText(lang, f, m))
        .join('; '),
    });
  }
  const key = code ? CODE_KEYS[code] : undefined;
  if (key) return translate(lang, key, { ...(body.params ?? {}), msg: '' }).replace(/:\s*$/, '');
  switch (e.status) {
    case 400:
      return translate(lang, 'apiErr.validation', { fields: '' }).replace(/:\s*$/, '');
    case 401:
      return translate(lang, 'apiErr.unauthorized');
    case 403:
      return translate(lang, 'err.403');
    case 404:
      return translate(lang, 'err.404');
    case 409:
      return translate(lang, 'apiErr.conflict');
    case 413:
      return translate(lang, 'err.413');
    case 415:
      return translate(lang, 'err.415');
    case 429:
      return translate(lang, 'err.429');
    default:
      return translate(lang, 'apiErr.internal');
  }
}

/** A live subscription refusal (ack text) worded: scope refusals become the scope sentence. */
export function ackText(lang: Lang, msg: string): string {
  if (/outside your scope/.test(msg)) return translate(lang, 'apiErr.scope');
  if (/unknown ballot/.test(msg)) return translate(lang, 'apiErr.ballot');
  return translate(lang, 'apiErr.internal');
}
