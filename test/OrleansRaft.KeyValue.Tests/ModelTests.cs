using Xunit.Abstractions;
using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

/// <summary>The state machine against <see cref="ReferenceModel"/>, on random workloads from fixed seeds.</summary>
public sealed class ModelTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(20240601)]
    [InlineData(7)]
    [InlineData(99991)]
    [InlineData(123456789)]
    public void The_state_machine_answers_like_the_reference_model(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var workload = new Workload(random);
        var store = new Store();
        var model = new ReferenceModel();
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);

        for (var step = 0; step < 1_500; step++)
        {
            var request = workload.Next(model.Revision, model.CompactRevision, model.LeaseIds);
            var expected = model.Apply(request);
            var actual = Describe.Result(store.Apply(request));
            var words = actual.Split(' ');
            var outcome = words[0] switch
            {
                "txn" => "txn " + words[2],
                "error" => "error " + words[1],
                "tick" when !actual.EndsWith("[]", StringComparison.Ordinal) => "tick expiring",
                _ => words[0],
            };
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            Assert.True(expected == actual, $"seed {seed}, step {step}, {request.GetType().Name}:\nexpected {expected}\nactual   {actual}");
            Assert.Equal(model.Revision, store.Revision);

            if (step % 10 == 0)
            {
                // Events for a random range from a random revision, including compacted ones.
                var (key, end) = workload.Range();
                var from = random.Next(4) == 0 ? 0 : Math.Max(1, model.Revision - random.Next(30));
                var events = Describe.Result(store.Query(new EventsRequest(B(key)) { RangeEnd = end is null ? default : B(end), FromRevision = from }));
                Assert.True(model.Events(key, end, from) == events, $"seed {seed}, step {step}, events of {key}..{end} from {from}:\nexpected {model.Events(key, end, from)}\nactual   {events}");

                // A read at a random retained revision, through the query path.
                var read = workload.Read(model.Revision);
                var readExpected = model.Apply(read);
                Assert.True(readExpected == Describe.Result(store.Query(read)), $"seed {seed}, step {step}: query differs from model");
            }
        }

        output.WriteLine($"final revision {model.Revision}, compact revision {model.CompactRevision}");
        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));

        // The workload must keep reaching every kind of answer, or the comparison proves less than it seems.
        string[] expectedOutcomes =
        [
            "put", "delete", "range", "txn True", "txn False", "compact", "grant", "revoke", "keepalive", "tick", "tick expiring",
            "error Compacted", "error FutureRevision", "error DuplicateKey", "error LeaseNotFound",
        ];
        Assert.All(expectedOutcomes, o => Assert.True(outcomes.ContainsKey(o), $"seed {seed} never produced '{o}'"));
    }
}
