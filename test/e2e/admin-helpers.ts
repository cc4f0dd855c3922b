import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { ADMIN_PASSWORD, ADMIN_USERNAME, TestApp } from '../helpers/app';

/**
 * A browser-like client: keeps cookies between requests (the session and the CSRF cookie). Its JSON API
 * answers are checked against the OpenAPI document like those of `t.http` (pages are not).
 */
export function browser(t: TestApp): TestAgent {
  return t.contract.wrap(request.agent(t.app.getHttpServer()));
}

/** The CSRF token of the first form on a page. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1];
}

/** Logs in through the form; returns the agent with its session cookie. */
export async function webLogin(t: TestApp, username = ADMIN_USERNAME, password = ADMIN_PASSWORD): Promise<TestAgent> {
  const agent = browser(t);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfOf(page.text), username, password });
  if (res.status !== 303) throw new Error(`web login failed: ${res.status} ${res.text.slice(0, 500)}`);
  return agent;
}

/** GETs a page and POSTs a form with its CSRF token. */
export async function postForm(agent: TestAgent, formPage: string, action: string, fields: Record<string, unknown>) {
  const page = await agent.get(formPage);
  if (page.status !== 200) throw new Error(`GET ${formPage}: ${page.status} ${page.text.slice(0, 300)}`);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfOf(page.text), ...fields });
}

/** HTML-decoded text of a page, whitespace collapsed (for "the page says X" assertions). */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Follows the 303 of a form that shows a secret once (Post/Redirect/Get to a one-time page, issue #14):
 * answers the GET of that page, after checking it is not to be cached and shows nothing on a second GET.
 */
export async function followOnce(agent: TestAgent, posted: request.Response): Promise<request.Response> {
  if (posted.status !== 303) throw new Error(`expected 303 to a one-time page, got ${posted.status}: ${textOf(posted.text).slice(0, 300)}`);
  const page = await agent.get(posted.headers.location);
  if (page.status !== 200 || page.headers['cache-control'] !== 'no-store') {
    throw new Error(`one-time page ${posted.headers.location}: ${page.status} ${page.headers['cache-control']}`);
  }
  const again = await agent.get(posted.headers.location);
  if (again.status !== 303) throw new Error(`one-time page ${posted.headers.location} shown twice: ${again.status}`);
  return page;
}
