// test:unit only: Redis and PostgreSQL point at a closed port, so a unit test that needs either fails loudly.
process.env.TEST_REDIS_URL = 'redis://127.0.0.1:1';
process.env.TEST_PG_URL = 'postgres://postgres@127.0.0.1:1/postgres';
delete process.env.REDIS_URL;
delete process.env.DATABASE_URL;
