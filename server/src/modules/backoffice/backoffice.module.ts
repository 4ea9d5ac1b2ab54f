import { Module } from '@nestjs/common';
import { PetitionsModule } from '../petitions/petitions.module';
import { DeadlinesController, NamesController, TeamController } from './backoffice.controller';
import { TeamService } from './team.service';

/** The back office's server side (issue 12): delegation, names, deadlines of a region. */
@Module({
  imports: [PetitionsModule],
  providers: [TeamService],
  controllers: [NamesController, DeadlinesController, TeamController],
})
export class BackofficeModule {}
