import * as rooms from "./room";
import { Room as RoomClass } from "./room";

// Seen through a namespace import and an alias.
export type RoomStub = DurableObjectStub<rooms.Room>;
export type Same = RoomClass;
