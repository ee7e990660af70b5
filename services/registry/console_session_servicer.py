"""ConsoleSessionService over gRPC: each RPC converts the request, awaits the domain, converts the reply."""

from __future__ import annotations

from services.registry.converters import timestamp, user_to_proto
from services.registry.domain.console_sessions import ConsoleSessionService
from torii.v1 import console_session_service_pb2 as pb
from torii.v1 import console_session_service_pb2_grpc


class ConsoleSessionServicer(console_session_service_pb2_grpc.ConsoleSessionServiceServicer):
    def __init__(self, sessions: ConsoleSessionService) -> None:
        self._sessions = sessions

    async def SignIn(self, request, context):
        opened = await self._sessions.sign_in(request.user_name, request.account_name, request.password)
        return pb.SignInResponse(
            user=user_to_proto(opened.user),
            session_token=opened.session_token,
            csrf_token=opened.csrf_token,
            expires_at=timestamp(opened.expires_at),
            must_change_password=opened.must_change_password,
        )

    async def AuthenticateSession(self, request, context):
        signed_in = await self._sessions.authenticate(request.session_token, request.csrf_token, request.check_csrf)
        return pb.AuthenticateSessionResponse(
            user=user_to_proto(signed_in.user),
            must_change_password=signed_in.must_change_password,
            expires_at=timestamp(signed_in.expires_at),
        )

    async def SignOut(self, request, context):
        await self._sessions.sign_out(request.session_token)
        return pb.SignOutResponse()

    async def SetPassword(self, request, context):
        must_change = await self._sessions.set_password(
            request.actor_user_id, request.user_id, request.current_password, request.new_password
        )
        return pb.SetPasswordResponse(must_change_password=must_change)
