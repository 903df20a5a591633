/** One line said in the room. */
export interface ChatMessage {
  /** Who said it; `*` for the room's own announcements. */
  from: string;
  text: string;
}

/** A chat room: every member's lines go to every member, as one bidirectional stream each. */
export interface Chat {
  /**
   * Joins the room as `name`. Your lines go to everyone in the room; what anyone says, yours
   * included, comes back on the returned stream. End your lines to leave.
   */
  join(name: string, lines: AsyncIterable<string>): AsyncIterable<ChatMessage>;
}
