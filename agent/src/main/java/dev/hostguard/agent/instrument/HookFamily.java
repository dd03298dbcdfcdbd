package dev.hostguard.agent.instrument;

import java.util.List;

/** One family of hooks (process starts, file opens, ...): the types it transforms and what it puts on them. */
interface HookFamily {

    String name();

    List<HookTarget> targets();
}
