// Loaded before every test file: quiet logs, cheap password hashing, the test clock.
process.env.NODE_ENV = 'test';
process.env.TEST_CLOCK = 'true';
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
