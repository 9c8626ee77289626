using Xunit.Abstractions;
using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

/// <summary>
/// Random histories of auth changes and reads and writes by users, with tokens fresh and stale: a member restored from
/// a snapshot at any point answers every later command exactly as the original, and the invariants of etcd's auth
/// store hold after every command. A failing seed replays exactly.
/// </summary>
public sealed class AuthHistoryTests(ITestOutputHelper output)
{
    private static readonly string[] Users = ["root", "ann", "ben"];
    private static readonly string[] Roles = ["root", "app", "ops"];
    private static readonly string[] Prefixes = ["/a/", "/b/", "/a/x"];

    /// <summary>Hashes made once: PBKDF2 per command would make the history slow, not more random.</summary>
    private static readonly Dictionary<string, byte[]> Hashes = Users.ToDictionary(u => u, u => PasswordHash.Create(u + "pw", 1_000));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_member_restored_mid_history_answers_as_the_original_and_auth_stays_consistent(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var original = new KvStateMachine();
        KvStateMachine? restored = null;
        var restoreAt = random.Next(50, 250);
        var issued = new Dictionary<string, ulong>();
        var seen = new HashSet<string>();
        for (var index = 1UL; index <= 300; index++)
        {
            if ((int)index == restoreAt)
            {
                restored = new KvStateMachine();
                restored.Restore(original.Snapshot());
                Assert.Equal(original.Snapshot(), restored.Snapshot());
            }

            // Auth enabled first (root with its role); the rest is random.
            var next = index switch
            {
                1 => new UserAddRequest("root", Hashes["root"]),
                2 => new UserGrantRoleRequest("root", "root"),
                3 => new AuthEnableRequest(),
                _ => Next(random, original, issued),
            };
            var command = KvCodec.EncodeCommand(new KvCommand(next));
            var answer = original.Apply(index, command);
            if (restored is not null)
            {
                Assert.Equal(answer, restored.Apply(index, command));
            }

            var decoded = KvCodec.DecodeResult(answer);
            seen.Add(decoded is ErrorResult error ? error.Code.ToString() : decoded.GetType().Name);
            if (original.AuthEnabled)
            {
                seen.Add("enabled");
                var root = new Store(original).Query(new AsUserRequest("root", original.AuthRevision, new UserGetRequest("root")));
                Assert.Contains("root", Assert.IsType<UserResult>(root).Roles);
            }

            // A token is issued when a password checks out, at the revision it was checked at.
            var user = Users[random.Next(Users.Length)];
            if (new Store(original).Query(new AuthenticateRequest(user, user + "pw")) is AuthenticateResult login)
            {
                issued[user] = login.AuthRevision;
            }
        }

        Assert.Equal(original.Snapshot(), restored!.Snapshot());

        // The history went through what it is about: auth on, users allowed and refused, tokens gone stale.
        output.WriteLine(string.Join(", ", seen.Order(StringComparer.Ordinal)));
        Assert.Superset(new HashSet<string> { "enabled", nameof(PutResult), nameof(KvErrorCode.UserEmpty), nameof(KvErrorCode.PermissionDenied) }, seen);
    }

    private static KvRequest Next(Random random, KvStateMachine store, Dictionary<string, ulong> issued)
    {
        var user = Users[random.Next(Users.Length)];
        var role = Roles[random.Next(Roles.Length)];
        var prefix = Prefixes[random.Next(Prefixes.Length)];
        KvRequest request = random.Next(14) switch
        {
            0 => new UserAddRequest(user, Hashes[user]),
            1 => new UserDeleteRequest(user),
            2 or 3 => new UserGrantRoleRequest(user, role),
            4 => new UserRevokeRoleRequest(user, role),
            5 => new RoleAddRequest(role),
            6 => new RoleDeleteRequest(role),
            7 => new RoleGrantPermissionRequest(role, new KeyPermission((PermissionType)random.Next(3), B(prefix), KeyRanges.PrefixEnd(B(prefix)))),
            8 => new RoleRevokePermissionRequest(role, B(prefix), KeyRanges.PrefixEnd(B(prefix))),
            9 => random.Next(3) == 0 ? new AuthDisableRequest() : new AuthEnableRequest(),
            10 => new UserChangePasswordRequest(user, Hashes[user]),
            11 => new DeleteRangeRequest(B(prefix)) { RangeEnd = KeyRanges.PrefixEnd(B(prefix)), PrevKv = random.Next(2) == 0 },
            _ => new PutRequest(B(prefix + random.Next(3)), B("v")) { PrevKv = random.Next(2) == 0 },
        };

        // As a user with the token it was issued (maybe stale by now), as root with a fresh one, or anonymously.
        return random.Next(4) switch
        {
            0 when issued.TryGetValue(user, out var revision) => new AsUserRequest(user, revision, request),
            1 or 2 => new AsUserRequest("root", store.AuthRevision, request),
            _ => request,
        };
    }
}
