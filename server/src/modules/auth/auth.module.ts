import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { RedisClient } from '../../infra/redis.module';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { REDIS } from '../../infra/redis.module';
import { SECRET_FILES } from '../../infra/secret-file';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { EmbargoController } from './embargo.controller';
import { EmbargoService } from './embargo.service';
import { JWT_KEY, loadJwtSecret } from './jwt-secret';
import { RedisThrottlerStorage } from './throttle.repository';
import { TokenService } from './token.service';
import { SessionService } from './session.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/**
 * Accounts, tokens, the global guard and the YSK embargo. Global: any module (the live gateway)
 * can inject TokenService (`verifyAccessToken`) and EmbargoService (`snapshot`, `delta`).
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: RedisClient) => ({
        throttlers: [{ name: 'login', ttl: 60_000, limit: config.LOGIN_RATE_LIMIT }],
        storage: new RedisThrottlerStorage(redis, config.YSK_ELECTION_ID),
      }),
    }),
  ],
  providers: [
    { provide: JWT_KEY, inject: [APP_CONFIG, SECRET_FILES], useFactory: loadJwtSecret },
    TokenService,
    SessionService,
    AuthService,
    UsersService,
    EmbargoService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  controllers: [AuthController, UsersController, EmbargoController],
  exports: [TokenService, EmbargoService, AuthService, UsersService, SessionService],
})
export class AuthModule {}
