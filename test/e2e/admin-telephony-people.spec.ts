import type TestAgent from 'supertest/lib/agent';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import { SessionEntity } from '../../src/modules/identity/entities/session.entity';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { createCustomer, createReseller, type CustomerBody, unique } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { csrfOf, postForm, textOf, webLogin } from './admin-helpers';

describe("admin pages: a customer's people", () => {
  let t: TestApp;
  let web: TestAgent;
  let acme: CustomerBody;
  const EVIL = '<img src=x onerror=alert(1)>';

  beforeAll(async () => {
    t = await startTestApp();
    web = await webLogin(t);
    acme = await createCustomer(t, t.auth, { name: `Acme ${EVIL}`, username: unique('acmeadmin') });
  });
  afterAll(() => t.close());

  const people = () => t.dataSource.getRepository(PersonEntity);
  const mailsTo = (to: string) => t.dataSource.getRepository(OutboxEmailEntity).countBy({ toAddress: to });

  it('lists the people with a breadcrumb back to the customer, escaped', async () => {
    const page = await web.get(`/customers/${acme.id}/people`);
    expect(page.status).toBe(200);
    const text = textOf(page.text);
    expect(text).toContain(`Customers › Acme ${EVIL} › People`);
    expect(page.text).not.toContain(EVIL);
    expect(page.text).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(text).toContain(acme.username as string);
    expect((await web.get(`/customers/${acme.id}/people/new`)).status).toBe(200);
  });

  it('shows bad values inline, keeps them (never the password), and creates nothing', async () => {
    const before = await people().count();
    const res = await postForm(web, `/customers/${acme.id}/people/new`, `/customers/${acme.id}/people`, {
      username: 'no spaces allowed',
      displayName: 'Kept Name',
      email: 'not-an-email',
      role: 'administrator',
      password: 'short',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text)).toContain('Nothing was saved.');
    for (const f of ['username', 'email', 'password']) expect(res.text).toMatch(new RegExp(`id="f-${f}"[^>]*aria-invalid="true"`));
    expect(res.text).toContain('value="no spaces allowed"');
    expect(res.text).toContain('value="Kept Name"');
    expect(res.text).toMatch(/<option value="administrator" selected>/);
    expect(res.text).not.toContain('value="short"');
    expect(await people().count()).toBe(before);

    // Without a password an email is needed for the login link.
    const noEmail = await postForm(web, `/customers/${acme.id}/people/new`, `/customers/${acme.id}/people`, {
      username: unique('nomail'),
      displayName: 'No Mail',
      role: 'user',
    });
    expect(noEmail.status).toBe(400);
    expect(noEmail.text).toMatch(/id="f-email"[^>]*aria-invalid="true"/);
    expect(textOf(noEmail.text)).toContain('Is required when no password is given');
    expect(await people().count()).toBe(before);
  });

  it('adds a person without a password: a login link is emailed, and they appear in the list', async () => {
    const username = unique('jane');
    const res = await postForm(web, `/customers/${acme.id}/people/new`, `/customers/${acme.id}/people`, {
      username,
      displayName: `Jane ${EVIL}`,
      email: `${username}@acme.example`,
      role: 'user',
      password: '',
    });
    expect(res.status).toBe(303);
    const row = await people().findOneByOrFail({ username });
    expect(row).toMatchObject({ customerId: acme.id, role: 'user', passwordHash: null });
    expect(await mailsTo(`${username}@acme.example`)).toBe(1);
    const list = await web.get(res.headers.location);
    const text = textOf(list.text);
    expect(text).toContain(`A link to set the password was emailed to ${username}@acme.example.`);
    expect(text).toContain(username);
    expect(text).toContain('not set yet');
    expect(list.text).not.toContain(EVIL);
  });

  it('adds a person with a password: nothing is emailed; a taken username is refused inline', async () => {
    const username = unique('bob');
    const ok = await postForm(web, `/customers/${acme.id}/people/new`, `/customers/${acme.id}/people`, {
      username,
      displayName: 'Bob',
      email: `${username}@acme.example`,
      role: 'administrator',
      password: 'a-long-enough-password',
    });
    expect(ok.status).toBe(303);
    expect(await mailsTo(`${username}@acme.example`)).toBe(0);
    await webLogin(t, username, 'a-long-enough-password');

    const before = await people().count();
    const dup = await postForm(web, `/customers/${acme.id}/people/new`, `/customers/${acme.id}/people`, {
      username: username.toUpperCase(),
      displayName: 'Other Bob',
      email: 'other@acme.example',
      role: 'user',
    });
    expect(dup.status).toBe(409);
    expect(dup.text).toMatch(/id="f-username"[^>]*aria-invalid="true"/);
    expect(textOf(dup.text)).toContain('already taken');
    expect(dup.text).toContain('value="Other Bob"');
    expect(await people().count()).toBe(before);
  });

  it('edits a person: errors keep what was typed, saving changes it, a new password ends their logins', async () => {
    const username = unique('edit');
    await postForm(web, `/customers/${acme.id}/people/new`, `/customers/${acme.id}/people`, {
      username,
      displayName: 'Before',
      role: 'user',
      password: 'first-password-123',
    });
    const row = await people().findOneByOrFail({ username });
    await webLogin(t, username, 'first-password-123');
    expect(await t.dataSource.getRepository(SessionEntity).countBy({ personId: row.id })).toBeGreaterThan(0);

    const form = await web.get(`/customers/${acme.id}/people/${row.id}/edit`);
    expect(form.text).toContain('value="Before"');
    const bad = await web
      .post(`/customers/${acme.id}/people/${row.id}/edit`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), displayName: '', email: 'x@', role: 'user' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-displayName"[^>]*aria-invalid="true"/);
    expect(bad.text).toMatch(/id="f-email"[^>]*aria-invalid="true"/);
    expect(bad.text).toContain('value="x@"');
    expect((await people().findOneByOrFail({ id: row.id })).displayName).toBe('Before');

    const ok = await web
      .post(`/customers/${acme.id}/people/${row.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfOf(bad.text),
        displayName: 'After',
        email: 'after@acme.example',
        role: 'administrator',
        password: 'second-password-456',
      });
    expect(ok.status).toBe(303);
    expect(await people().findOneByOrFail({ id: row.id })).toMatchObject({
      displayName: 'After',
      email: 'after@acme.example',
      role: 'administrator',
    });
    expect(await t.dataSource.getRepository(SessionEntity).countBy({ personId: row.id })).toBe(0);
    expect(textOf((await web.get(`/customers/${acme.id}/people`)).text)).toContain(`Changes to ${username} saved. The new password is set`);
    await webLogin(t, username, 'second-password-456');
  });

  it('sends a login link, or says why not', async () => {
    const username = unique('link');
    await postForm(web, `/customers/${acme.id}/people/new`, `/customers/${acme.id}/people`, {
      username,
      displayName: 'Link Me',
      email: `${username}@acme.example`,
      role: 'user',
    });
    const row = await people().findOneByOrFail({ username });
    const list = await web.get(`/customers/${acme.id}/people?search=${username}`);
    expect(list.text).toContain(`action="/customers/${acme.id}/people/${row.id}/login-link"`);
    const sent = await web
      .post(`/customers/${acme.id}/people/${row.id}/login-link`)
      .type('form')
      .send({ _csrf: csrfOf(list.text) });
    expect(sent.status).toBe(303);
    expect(await mailsTo(`${username}@acme.example`)).toBe(2);
    expect(textOf((await web.get(`/customers/${acme.id}/people`)).text)).toContain(
      `A login link for ${username} was emailed to ${username}@acme.example.`,
    );

    const noMail = unique('nomail');
    await postForm(web, `/customers/${acme.id}/people/new`, `/customers/${acme.id}/people`, {
      username: noMail,
      displayName: 'No Mail',
      role: 'user',
      password: 'a-long-enough-password',
    });
    const noMailRow = await people().findOneByOrFail({ username: noMail });
    const refused = await web
      .post(`/customers/${acme.id}/people/${noMailRow.id}/login-link`)
      .type('form')
      .send({ _csrf: csrfOf(list.text) });
    expect(refused.status).toBe(303);
    expect(textOf((await web.get(`/customers/${acme.id}/people`)).text)).toContain(
      `No login link was sent to ${noMail}: they have no email address`,
    );
  });

  it('searches and pages', async () => {
    const tag = unique('pg');
    for (let i = 1; i <= 27; i++) {
      await t.http
        .post(`/api/v1/customers/${acme.id}/people`)
        .set(t.auth)
        .send({
          username: `${tag}-${String(i).padStart(2, '0')}`,
          displayName: `Paged ${i}`,
          role: 'user',
          password: 'a-long-enough-password',
        });
    }
    const first = await web.get(`/customers/${acme.id}/people?search=${tag}`);
    expect(textOf(first.text)).toContain('1–25 of 27');
    const second = await web.get(`/customers/${acme.id}/people?search=${tag}&page=2`);
    expect(textOf(second.text)).toContain('26–27 of 27');
    expect(textOf((await web.get(`/customers/${acme.id}/people?search=nobody-here`)).text)).toContain('No person matches “nobody-here”.');
  });

  it('deletes after a confirmation page; not yourself, not the last administrator', async () => {
    const username = unique('gone');
    await postForm(web, `/customers/${acme.id}/people/new`, `/customers/${acme.id}/people`, {
      username,
      displayName: 'Gone Soon',
      role: 'user',
      password: 'a-long-enough-password',
    });
    const row = await people().findOneByOrFail({ username });
    const confirm = await web.get(`/customers/${acme.id}/people/${row.id}/delete`);
    expect(textOf(confirm.text)).toContain(`Delete Gone Soon (${username})?`);
    const del = await web
      .post(`/customers/${acme.id}/people/${row.id}/delete`)
      .type('form')
      .send({ _csrf: csrfOf(confirm.text) });
    expect(del.status).toBe(303);
    expect((await people().findOneByOrFail({ id: row.id })).deletedAt).not.toBeNull();
    expect((await web.get(`/customers/${acme.id}/people/${row.id}/edit`)).status).toBe(404);

    // The only administrator of a fresh customer cannot be deleted.
    const solo = await createCustomer(t, t.auth, { username: unique('solo') });
    const admin = await people().findOneByOrFail({ customerId: solo.id as number });
    const c2 = await web.get(`/customers/${solo.id}/people/${admin.id}/delete`);
    const refused = await web
      .post(`/customers/${solo.id}/people/${admin.id}/delete`)
      .type('form')
      .send({ _csrf: csrfOf(c2.text) });
    expect(refused.status).toBe(303);
    expect(textOf((await web.get(`/customers/${solo.id}/people`)).text)).toContain(
      'was not deleted: a customer must keep at least one administrator',
    );
    expect((await people().findOneByOrFail({ id: admin.id })).deletedAt).toBeNull();

    // Yourself: the page says so and offers no button.
    const me = await people().findOneByOrFail({ customerId: 1 });
    const self = await web.get(`/customers/1/people/${me.id}/delete`);
    expect(textOf(self.text)).toContain('You cannot delete yourself');
    expect(self.text).not.toContain(`action="/customers/1/people/${me.id}/delete"`);
  });

  it("answers 404 for another branch's people pages, and a user may only look", async () => {
    const a = await createReseller(t, t.auth);
    const b = await createReseller(t, t.auth);
    const bPerson = await people().findOneByOrFail({ customerId: b.id });
    const webA = await webLogin(t, a.username, a.password);
    const own = await webA.get(`/customers/${a.id}/people`);
    expect(own.status).toBe(200);
    for (const path of [
      `/customers/${b.id}/people`,
      `/customers/${b.id}/people/new`,
      `/customers/${b.id}/people/${bPerson.id}/edit`,
      `/customers/${a.id}/people/${bPerson.id}/edit`,
    ]) {
      const res = await webA.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const before = await people().count();
    expect(
      (
        await webA
          .post(`/customers/${b.id}/people`)
          .type('form')
          .send({ _csrf: csrfOf(own.text), username: unique('x'), displayName: 'X', role: 'user', password: 'a-long-enough-password' })
      ).status,
    ).toBe(404);
    expect(
      (
        await webA
          .post(`/customers/${b.id}/people/${bPerson.id}/delete`)
          .type('form')
          .send({ _csrf: csrfOf(own.text) })
      ).status,
    ).toBe(404);
    expect(await people().count()).toBe(before);
    expect((await people().findOneByOrFail({ id: bPerson.id })).deletedAt).toBeNull();

    // An ordinary user sees the list without the buttons, and cannot post.
    const userName = unique('viewer');
    await t.http
      .post(`/api/v1/customers/${a.id}/people`)
      .set(a.auth)
      .send({ username: userName, displayName: 'Viewer', role: 'user', password: 'a-long-enough-password' });
    const viewer = await webLogin(t, userName, 'a-long-enough-password');
    const list = await viewer.get(`/customers/${a.id}/people`);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(`href="/customers/${a.id}/people/new"`);
    const post = await viewer
      .post(`/customers/${a.id}/people`)
      .type('form')
      .send({ _csrf: csrfOf(list.text), username: unique('y'), displayName: 'Y', role: 'user', password: 'a-long-enough-password' });
    expect(post.status).toBe(403);
    expect(await people().count()).toBe(before + 1);
  });
});
