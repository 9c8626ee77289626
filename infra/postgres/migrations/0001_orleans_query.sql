-- The queries Orleans' ADO.NET providers run. Each provider reads its rows by QueryKey at start-up and
-- binds parameters and result columns by name, so the names below are a contract with the provider;
-- the SQL behind them is this project's own.
CREATE TABLE orleansquery
(
    querykey  varchar(64)   NOT NULL,
    querytext varchar(8000) NOT NULL,
    CONSTRAINT orleansquery_key PRIMARY KEY (querykey)
);
