import { ConfigError, loadConfig, parseDatabaseUrl } from './config';

describe('DATABASE_URL', () => {
  it('reads an SQLite file path, with or without slashes', () => {
    expect(parseDatabaseUrl('sqlite:data/billing.sqlite')).toEqual({ type: 'sqlite', path: 'data/billing.sqlite' });
    expect(parseDatabaseUrl('sqlite:///tmp/x.sqlite')).toEqual({ type: 'sqlite', path: '/tmp/x.sqlite' });
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(ConfigError);
  });

  it('reads a MySQL/MariaDB server over TCP, with defaults and encoded credentials', () => {
    expect(parseDatabaseUrl('mysql://root@127.0.0.1:3306/test')).toEqual({
      type: 'mysql',
      flavour: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      username: 'root',
      password: '',
      database: 'test',
    });
    expect(parseDatabaseUrl('mariadb://bill%40ing:p%2Fw@db.example.com/billing')).toMatchObject({
      flavour: 'mariadb',
      host: 'db.example.com',
      port: 3306,
      username: 'bill@ing',
      password: 'p/w',
      database: 'billing',
    });
  });

  it('reads ?socket= as the Unix socket of a server on this machine', () => {
    expect(parseDatabaseUrl('mysql://root@localhost/test?socket=/run/mysqld/mysqld.sock')).toMatchObject({
      database: 'test',
      socketPath: '/run/mysqld/mysqld.sock',
    });
    expect(parseDatabaseUrl('mysql://root@localhost/test?socket=%2Fvar%2Frun%2Fmy%20sql.sock')).toMatchObject({
      socketPath: '/var/run/my sql.sock',
    });
  });

  it.each([
    ['mysql://root@localhost/test?socket=mysqld.sock', /absolute path/],
    ['mysql://root@localhost/test?sslmode=require', /unknown option "sslmode"/],
    ['mysql://root@localhost/', /needs a database name/],
    ['mysql://[oops/test', /not a valid mysql/],
    ['postgres://root@localhost/test', /must start with sqlite: or mysql/],
  ])('refuses %s, naming the problem', (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(ConfigError);
    expect(() => parseDatabaseUrl(url)).toThrow(message);
  });

  it('is part of the configuration, and a bad one stops the start with its message', () => {
    expect(loadConfig({ DATABASE_URL: 'mysql://root@localhost/test?socket=/tmp/s.sock' }).database).toMatchObject({
      socketPath: '/tmp/s.sock',
    });
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root@localhost/test?socket=s.sock' })).toThrow(/DATABASE_URL/);
  });
});
