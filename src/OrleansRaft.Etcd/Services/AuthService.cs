using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Diagnostics;
using OrleansRaft.KeyValue;
using Authpb = OrleansRaft.Etcd.Protocol.Authpb;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// etcd's Auth service over the group's auth store (<see cref="KvStateMachine"/>): changes go through the log as the
/// caller (the store checks the root role while auth is enabled), gets and lists are linearizable reads. Authenticate
/// has the store check the password and issues a simple token (<see cref="Auth.EtcdTokens"/>). Passwords are hashed
/// here, before a change is proposed, so that only hashes reach the log; neither is ever logged.
/// </summary>
internal sealed class AuthService(EtcdGateway gateway, ILogger<AuthService> logger) : Proto.Auth.AuthBase
{
    public override async Task<Proto.AuthEnableResponse> AuthEnable(Proto.AuthEnableRequest request, ServerCallContext context) =>
        new() { Header = await ChangeAsync(new AuthEnableRequest(), context) };

    public override async Task<Proto.AuthDisableResponse> AuthDisable(Proto.AuthDisableRequest request, ServerCallContext context) =>
        new() { Header = await ChangeAsync(new AuthDisableRequest(), context) };

    public override async Task<Proto.AuthenticateResponse> Authenticate(Proto.AuthenticateRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        KvRead<AuthenticateResult> read;
        try
        {
            read = await group.Client.ReadAsync<AuthenticateResult>(
                new AuthenticateRequest(request.Name, request.Password), KvCallOptions.Linearizable, context.CancellationToken);
        }
        catch (KvRequestException e) when (e.Code == KvErrorCode.AuthFailed)
        {
            EtcdLogMessages.AuthenticationFailed(logger, group.GroupId, request.Name);
            throw;
        }

        var token = gateway.Tokens.Issue(group.GroupId, read.Result.User, read.Result.AuthRevision);
        return new Proto.AuthenticateResponse
        {
            Header = await group.LeaderHeaderAsync(read.MemberId, read.Result.Revision, context.CancellationToken),
            Token = token,
        };
    }

    public override async Task<Proto.AuthUserAddResponse> UserAdd(Proto.AuthUserAddRequest request, ServerCallContext context)
    {
        var hash = request.Options?.NoPassword == true ? [] : PasswordHash.Create(request.Password, gateway.Options.PasswordHashIterations);
        return new() { Header = await ChangeAsync(new UserAddRequest(request.Name, hash), context) };
    }

    public override async Task<Proto.AuthUserGetResponse> UserGet(Proto.AuthUserGetRequest request, ServerCallContext context)
    {
        var (user, header) = await QueryAsync<UserResult>(new UserGetRequest(request.Name), context);
        var response = new Proto.AuthUserGetResponse { Header = header };
        response.Roles.AddRange(user.Roles);
        return response;
    }

    public override async Task<Proto.AuthUserListResponse> UserList(Proto.AuthUserListRequest request, ServerCallContext context)
    {
        var (users, header) = await QueryAsync<NameListResult>(new UserListRequest(), context);
        var response = new Proto.AuthUserListResponse { Header = header };
        response.Users.AddRange(users.Names);
        return response;
    }

    public override async Task<Proto.AuthUserDeleteResponse> UserDelete(Proto.AuthUserDeleteRequest request, ServerCallContext context) =>
        new() { Header = await ChangeAsync(new UserDeleteRequest(request.Name), context) };

    public override async Task<Proto.AuthUserChangePasswordResponse> UserChangePassword(Proto.AuthUserChangePasswordRequest request, ServerCallContext context) =>
        new() { Header = await ChangeAsync(new UserChangePasswordRequest(request.Name, PasswordHash.Create(request.Password, gateway.Options.PasswordHashIterations)), context) };

    public override async Task<Proto.AuthUserGrantRoleResponse> UserGrantRole(Proto.AuthUserGrantRoleRequest request, ServerCallContext context) =>
        new() { Header = await ChangeAsync(new UserGrantRoleRequest(request.User, request.Role), context) };

    public override async Task<Proto.AuthUserRevokeRoleResponse> UserRevokeRole(Proto.AuthUserRevokeRoleRequest request, ServerCallContext context) =>
        new() { Header = await ChangeAsync(new UserRevokeRoleRequest(request.Name, request.Role), context) };

    public override async Task<Proto.AuthRoleAddResponse> RoleAdd(Proto.AuthRoleAddRequest request, ServerCallContext context) =>
        new() { Header = await ChangeAsync(new RoleAddRequest(request.Name), context) };

    public override async Task<Proto.AuthRoleGetResponse> RoleGet(Proto.AuthRoleGetRequest request, ServerCallContext context)
    {
        var (role, header) = await QueryAsync<RoleResult>(new RoleGetRequest(request.Role), context);
        var response = new Proto.AuthRoleGetResponse { Header = header };
        foreach (var permission in role.Permissions)
        {
            response.Perm.Add(new Authpb.Permission
            {
                PermType = (Authpb.Permission.Types.Type)(int)permission.Type,
                Key = ByteString.CopyFrom(permission.Key.Span),
                RangeEnd = ByteString.CopyFrom(permission.RangeEnd.Span),
            });
        }

        return response;
    }

    public override async Task<Proto.AuthRoleListResponse> RoleList(Proto.AuthRoleListRequest request, ServerCallContext context)
    {
        var (roles, header) = await QueryAsync<NameListResult>(new RoleListRequest(), context);
        var response = new Proto.AuthRoleListResponse { Header = header };
        response.Roles.AddRange(roles.Names);
        return response;
    }

    public override async Task<Proto.AuthRoleDeleteResponse> RoleDelete(Proto.AuthRoleDeleteRequest request, ServerCallContext context) =>
        new() { Header = await ChangeAsync(new RoleDeleteRequest(request.Role), context) };

    public override async Task<Proto.AuthRoleGrantPermissionResponse> RoleGrantPermission(Proto.AuthRoleGrantPermissionRequest request, ServerCallContext context)
    {
        var perm = request.Perm ?? throw EtcdErrors.InvalidArgument("a permission grant carries no permission.");
        var permission = new KeyPermission((PermissionType)(int)perm.PermType, perm.Key.Memory, perm.RangeEnd.Memory);
        return new() { Header = await ChangeAsync(new RoleGrantPermissionRequest(request.Name, permission), context) };
    }

    public override async Task<Proto.AuthRoleRevokePermissionResponse> RoleRevokePermission(Proto.AuthRoleRevokePermissionRequest request, ServerCallContext context) =>
        new() { Header = await ChangeAsync(new RoleRevokePermissionRequest(request.Role, request.Key.Memory, request.RangeEnd.Memory), context) };

    private async Task<Proto.ResponseHeader> ChangeAsync(KvRequest change, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var write = await group.Client.WriteAsync<AuthChangedResult>(gateway.CallerOf(context, group).Wrap(change), cancellationToken: context.CancellationToken);
        return await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, context.CancellationToken);
    }

    private async Task<(T Result, Proto.ResponseHeader Header)> QueryAsync<T>(KvRequest query, ServerCallContext context)
        where T : KvResult
    {
        var group = await gateway.GroupAsync(context);
        var read = await group.Client.ReadAsync<T>(gateway.CallerOf(context, group).Wrap(query), KvCallOptions.Linearizable, context.CancellationToken);
        return (read.Result, await group.LeaderHeaderAsync(read.MemberId, read.Result.Revision, context.CancellationToken));
    }
}
