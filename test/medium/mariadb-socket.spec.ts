import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../src/config/config';
import { dataSourceOptions, detectDatabaseFlavour } from '../../src/database/data-source-options';
import { createTestDatabase, TestDatabase, testDatabaseKind } from '../helpers/database';

/**
 * DATABASE_URL's ?socket= option: the app talks to a MariaDB server on the same machine over its Unix
 * socket (cheaper per statement than TCP). The MariaDB run connects through the socket the server names;
 * both runs check that a wrong path fails at start with the path in the error, not later.
 */
describe('MariaDB over a Unix socket (DATABASE_URL ?socket=)', () => {
  it('fails at start, naming the path, when the socket does not exist', async () => {
    const cfg = parseDatabaseUrl('mysql://root@localhost/test?socket=/nonexistent/mysqld.sock');
    await expect(detectDatabaseFlavour(cfg)).rejects.toThrow(/\/nonexistent\/mysqld\.sock/);
  });

  if (testDatabaseKind() === 'mysql') {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(() => db.drop());

    it('migrates and queries through the socket the server reports, and the server sees a socket client', async () => {
      const tcp = new DataSource(dataSourceOptions(await detectDatabaseFlavour(parseDatabaseUrl(db.url))));
      await tcp.initialize();
      const [{ socket }] = (await tcp.query('SELECT @@socket AS socket')) as { socket: string }[];
      await tcp.destroy();

      const url = new URL(db.url);
      url.host = 'localhost';
      url.searchParams.set('socket', socket);
      const cfg = await detectDatabaseFlavour(parseDatabaseUrl(url.toString()));
      expect(cfg).toMatchObject({ socketPath: socket, flavour: 'mariadb' });
      const ds = new DataSource(dataSourceOptions(cfg));
      await ds.initialize();
      try {
        expect((await ds.runMigrations()).length).toBeGreaterThan(0);
        const [{ host }] = (await ds.query('SELECT HOST AS host FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()')) as {
          host: string;
        }[];
        expect(host).toBe('localhost'); // a TCP client shows as "127.0.0.1:port"
        const [{ n }] = (await ds.query('SELECT COUNT(*) AS n FROM customers')) as { n: string | number }[];
        expect(Number(n)).toBe(0);
      } finally {
        await ds.destroy();
      }
    });
  }
});
