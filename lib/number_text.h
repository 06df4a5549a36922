/*
 * A macro's value as a string literal, for a message that names the bound
 * it comes from: the message then changes with the bound, not beside it.
 */
#ifndef LIB_NUMBER_TEXT_H
#define LIB_NUMBER_TEXT_H

#define NUMBER_TEXT_OF(x) #x
#define NUMBER_TEXT(x) NUMBER_TEXT_OF(x)

#endif
