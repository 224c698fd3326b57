export { Session } from "./session.js";

export default {
  async fetch(): Promise<Response> {
    return new Response("sessions");
  },
};
