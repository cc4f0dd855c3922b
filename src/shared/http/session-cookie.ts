/** The web session cookie: set by the login page, read by the auth guard and bound into CSRF tokens. */
export const SESSION_COOKIE = 'sid';
