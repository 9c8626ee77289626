// Each collection runs a whole local cluster (PostgreSQL and three silo processes): one at a time on a small machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
