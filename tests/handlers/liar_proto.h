/* SPDX-License-Identifier: MIT */
#ifndef DG_LIAR_PROTO_H
#define DG_LIAR_PROTO_H

enum liar_msg {
	L_ECHO = 0x100,
	L_BAD_MAGIC,
	L_BAD_VERSION,
	L_WRONG_ID,
	L_WRONG_TYPE,
	L_OVER_MAX,
	L_TRUNCATED,
	L_SHORT_HEADER,
	L_TRAILING,
	L_EOF,
	L_BAD_ERRNO,
	L_SLOW_DRIP,
	L_HANDLER_ERROR,
	L_TRAILING_LATE,
	L_SLOW_READER,		/* req: le32 step, le32 pause_ms; answers, then reads on slowly */
	L_ANSWER_THEN_EXIT,	/* a correct answer, then the handler exits (EOF between calls) */
	L_FAKE_ERRNO,		/* req: le32 errno (negative); an ERROR frame carrying it */
	L_HUGE_ANSWER,		/* req: le32 len; a header announcing len bytes, then silence */
	L_BYTEWISE,		/* a correct answer (the request echoed), one byte per write */
	L_SPIN,			/* req: le32 ms; spends that much CPU time, then answers "ok" */
};

#endif
