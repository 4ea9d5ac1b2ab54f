import { Body, Controller, Get, HttpCode, Ip, Post, Put, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { loginResponse, sessionUserSchema, type LoginResponse, type Principal, type SessionUser } from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiResponse } from '../../infra/openapi';
import { CurrentUser, Public } from './auth.decorators';
import { loginBody, passwordBody, refreshBody, type LoginBody, type PasswordBody, type RefreshBody } from './auth.dto';
import { AuthService } from './auth.service';

@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** `{ username, password }` → `{ accessToken, refreshToken, expiresIn, user }`; rate-limited per address, locks after repeated failures. */
  @Post('login')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  @ApiResponse(loginResponse)
  login(@Body(new ZodPipe(loginBody, 'login')) body: LoginBody, @Ip() ip: string): Promise<LoginResponse> {
    return this.auth.login(body.username, body.password, ip);
  }

  /** `{ refreshToken }` → a new pair; the old refresh token is spent. */
  @Post('refresh')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  @ApiResponse(loginResponse)
  refresh(@Body(new ZodPipe(refreshBody, 'refresh')) body: RefreshBody): Promise<LoginResponse> {
    return this.auth.refresh(body.refreshToken);
  }

  /** `{ refreshToken }`: ends that session. */
  @Post('logout')
  @Public()
  @HttpCode(204)
  async logout(@Body(new ZodPipe(refreshBody, 'logout')) body: RefreshBody): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }

  @Get('me')
  @ApiResponse(sessionUserSchema)
  me(@CurrentUser() user: Principal): Promise<SessionUser> {
    return this.auth.me(user);
  }

  /** `{ current, next }`: changes the caller's password and ends their other sessions. */
  @Put('password')
  @HttpCode(204)
  async password(@CurrentUser() user: Principal, @Body(new ZodPipe(passwordBody, 'password change')) body: PasswordBody): Promise<void> {
    await this.auth.changePassword(user, body.current, body.next);
  }
}
