import { isUniqueViolation } from './dialect';

describe('isUniqueViolation', () => {
  it('recognises MariaDB/MySQL by errno 1062 or code ER_DUP_ENTRY, also wrapped in a QueryFailedError', () => {
    expect(isUniqueViolation({ errno: 1062 })).toBe(true);
    expect(isUniqueViolation({ code: 'ER_DUP_ENTRY' })).toBe(true);
    expect(isUniqueViolation({ message: 'x', driverError: { code: 'ER_DUP_ENTRY', errno: 1062 } })).toBe(true);
  });

  it('recognises SQLite primary-key and unique violations', () => {
    expect(isUniqueViolation({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })).toBe(true);
    expect(isUniqueViolation({ driverError: { code: 'SQLITE_CONSTRAINT_UNIQUE' } })).toBe(true);
  });

  it('does not go by the message, and refuses other constraint errors and non-errors', () => {
    expect(isUniqueViolation(new Error('Duplicate entry for key PRIMARY'))).toBe(false);
    expect(isUniqueViolation({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })).toBe(false);
    expect(isUniqueViolation({ code: 'ER_NO_REFERENCED_ROW_2', errno: 1452 })).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation('ER_DUP_ENTRY')).toBe(false);
    const cyclic: { driverError?: unknown } = {};
    cyclic.driverError = cyclic;
    expect(isUniqueViolation(cyclic)).toBe(false);
  });
});
